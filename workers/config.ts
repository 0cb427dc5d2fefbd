// The worker's settings, read once from the environment at start.
import { join } from 'node:path';
import { ConfigError } from '../common/errors.js';
import { projectRoot } from '../config/paths.js';

export interface ConnectionConfig {
  address: string;
  namespace: string;
  taskQueue: string;
}

export function connectionConfig(env: NodeJS.ProcessEnv = process.env): ConnectionConfig {
  return {
    address: env.TEMPORAL_ADDRESS ?? 'localhost:7233',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.LLM_TASK_QUEUE ?? 'llm-requests',
  };
}

export function templatesDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TEMPLATES_DIR ?? join(projectRoot, 'templates');
}

/** The worker's capacity: how much it runs at once and how many workflows it keeps in memory. */
export interface WorkerTuning {
  /** Provider calls in flight (they wait on the network, so many fit). */
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentLocalActivityExecutions: number;
  maxConcurrentWorkflowTaskExecutions: number;
  /**
   * Workflows kept in memory between their tasks (the sticky cache). A workflow pushed out is replayed
   * from its history when it next has work: fewer means less memory and more replay CPU. Absent: the
   * SDK's default, which sizes it from the heap limit.
   */
  maxCachedWorkflows?: number;
}

export const defaultTuning: WorkerTuning = {
  // A thousand provider calls in flight on one worker (bench/README.md measures it).
  maxConcurrentActivityTaskExecutions: 1000,
  maxConcurrentLocalActivityExecutions: 200,
  // Eager starts and dispatches hand tasks straight to this worker: room for bursts.
  maxConcurrentWorkflowTaskExecutions: 200,
};

const tuningEnv: Record<keyof WorkerTuning, string> = {
  maxConcurrentActivityTaskExecutions: 'WORKER_MAX_CONCURRENT_ACTIVITIES',
  maxConcurrentLocalActivityExecutions: 'WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES',
  maxConcurrentWorkflowTaskExecutions: 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS',
  maxCachedWorkflows: 'WORKER_MAX_CACHED_WORKFLOWS',
};

/** The defaults, with any WORKER_MAX_* variable set; a value that is not a positive integer is refused. */
export function workerTuning(env: NodeJS.ProcessEnv = process.env): WorkerTuning {
  const tuning: WorkerTuning = { ...defaultTuning };
  for (const [key, name] of Object.entries(tuningEnv) as [keyof WorkerTuning, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1)
      throw new ConfigError(
        `${name}=${JSON.stringify(raw)} is not a positive integer; unset it for the default`,
      );
    tuning[key] = value;
  }
  return tuning;
}
