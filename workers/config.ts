// The worker's settings, read once from the environment at start.
import { join } from 'node:path';
import { projectRoot } from './paths.js';

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
