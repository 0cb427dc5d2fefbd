// `llm-orchestrator worker`: runs a worker; the worker's modules load only when it starts.
import { Command } from 'commander';

export function workerCommand(): Command {
  return new Command('worker')
    .description('run a worker on LLM_TASK_QUEUE (connects to TEMPORAL_ADDRESS)')
    .option('--task-queue <name>', 'task queue (default LLM_TASK_QUEUE or llm-requests)')
    .action(async (options: { taskQueue?: string }) => {
      const { runWorker } = await import('../workers/main.js');
      await runWorker(options.taskQueue ? { taskQueue: options.taskQueue } : {});
    });
}
