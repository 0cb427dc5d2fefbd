// The worker process: connects to Temporal, serves the task queue until SIGINT/SIGTERM, then drains.
import { NativeConnection } from '@temporalio/worker';
import { connectionConfig } from './config.js';
import { createOrchestratorWorker } from './worker.js';

export interface RunWorkerOptions {
  address?: string;
  namespace?: string;
  taskQueue?: string;
  log?: (line: string) => void;
}

export async function runWorker(options: RunWorkerOptions = {}): Promise<void> {
  const config = { ...connectionConfig(), ...definedOnly(options) };
  const log = options.log ?? ((line: string) => console.log(line));
  const connection = await NativeConnection.connect({ address: config.address });
  try {
    const orchestrator = await createOrchestratorWorker({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      watchTemplates: true,
    });
    const providers = orchestrator.deps.providers.configured();
    log(
      `worker: task queue "${config.taskQueue}" on ${config.address} (namespace ${config.namespace}); providers: ${providers.join(', ') || 'none — set OPENAI_API_KEY or ANTHROPIC_API_KEY'}`,
    );
    const stop = (): void => orchestrator.shutdown();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await orchestrator.run();
  } finally {
    await connection.close();
  }
}

function definedOnly(options: RunWorkerOptions): Partial<RunWorkerOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
