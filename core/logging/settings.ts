// The logging switches (LOG_LEVEL, TRACE_REQUESTS, LOG_TOKEN_USAGE, LOG_PROMPTS, LOG_PROMPT_MAX_CHARS)
// as a typed value: config/env.ts reads them once when a process starts (readLogSettings); the code
// below takes the value.
import { LOG_LEVELS, type LogLevelName, type LogSettings } from '../../config/settings.js';

export { defaultLogSettings } from '../../config/env.js';
export { LOG_LEVELS, type LogLevelName, type LogSettings } from '../../config/settings.js';

/** Whether a line at `level` passes the threshold `settings.level`. */
export function levelEnabled(settings: Pick<LogSettings, 'level'>, level: LogLevelName): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(settings.level);
}
