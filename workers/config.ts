// The worker's settings from the environment under the names its callers know; config/env.ts is the
// one module that reads the variables.
import { readConfigFiles } from '../config/env.js';

export {
  defaultTuning,
  readTemporalSettings as connectionConfig,
  readWorkerTuning as workerTuning,
} from '../config/env.js';
export type { TemporalSettings as ConnectionConfig, WorkerTuning } from '../config/settings.js';

/** TEMPLATES_DIR, else the project's templates/. */
export function templatesDir(env: NodeJS.ProcessEnv = process.env): string {
  return readConfigFiles(env).templatesDir;
}
