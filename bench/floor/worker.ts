// A worker for the floor workflows, on its own task queue, with the orchestrator worker's slot
// settings so that the comparison is like for like.
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type NativeConnection, Worker } from '@temporalio/worker';
import { createFloorActivities } from './activities.js';

export async function startFloorWorker(
  connection: NativeConnection,
  taskQueue: string,
  openaiBaseURL: string,
): Promise<{ stop(): Promise<void> }> {
  const workflowsPath = fileURLToPath(new URL('./workflows.ts', import.meta.url));
  const bundle = await bundleWorkflowCode({
    workflowsPath,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: bundle,
    activities: createFloorActivities(openaiBaseURL),
    maxConcurrentActivityTaskExecutions: 500,
    maxConcurrentLocalActivityExecutions: 200,
    maxConcurrentWorkflowTaskExecutions: 200,
  });
  const done = worker.run();
  return {
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
