// The logging switches, read once from the environment when the worker starts: LOG_LEVEL,
// TRACE_REQUESTS and LOG_TOKEN_USAGE (the seed's), LOG_PROMPTS and LOG_PROMPT_MAX_CHARS (ours).
import { ConfigError } from '../../common/errors.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export interface LogSettings {
  /** LOG_LEVEL: lines below it are dropped before they are formatted. */
  level: LogLevelName;
  /** TRACE_REQUESTS: each request's steps (render, plan, every provider try) at info, not debug. */
  traceRequests: boolean;
  /** LOG_TOKEN_USAGE: one line per provider call with its tokens and cost. */
  tokenUsage: boolean;
  /** LOG_PROMPTS: the messages sent and the text received, redacted and truncated. */
  prompts: boolean;
  /** LOG_PROMPT_MAX_CHARS: each logged prompt message or response is cut to this length. */
  maxPromptChars: number;
}

export const defaultLogSettings: LogSettings = {
  level: 'info',
  traceRequests: false,
  tokenUsage: false,
  prompts: false,
  maxPromptChars: 1000,
};

export function logSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LogSettings {
  return {
    level: logLevel(env.LOG_LEVEL),
    traceRequests: flag('TRACE_REQUESTS', env.TRACE_REQUESTS),
    tokenUsage: flag('LOG_TOKEN_USAGE', env.LOG_TOKEN_USAGE),
    prompts: flag('LOG_PROMPTS', env.LOG_PROMPTS),
    maxPromptChars: positiveInteger('LOG_PROMPT_MAX_CHARS', env.LOG_PROMPT_MAX_CHARS, 1000),
  };
}

/** Whether a line at `level` passes the threshold `settings.level`. */
export function levelEnabled(settings: Pick<LogSettings, 'level'>, level: LogLevelName): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(settings.level);
}

function logLevel(raw: string | undefined): LogLevelName {
  const value = raw?.trim().toLowerCase();
  if (!value) return defaultLogSettings.level;
  // Common spellings of the same thing, so LOG_LEVEL=warning does not stop a worker from starting.
  const alias = value === 'warning' ? 'warn' : value;
  if ((LOG_LEVELS as readonly string[]).includes(alias)) return alias as LogLevelName;
  throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${raw}"`);
}

function flag(name: string, raw: string | undefined): boolean {
  const value = raw?.trim().toLowerCase();
  if (!value || value === 'false' || value === '0' || value === 'no' || value === 'off') return false;
  if (value === 'true' || value === '1' || value === 'yes' || value === 'on') return true;
  throw new ConfigError(`${name} must be true or false; got "${raw}"`);
}

function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (Number.isInteger(value) && value > 0) return value;
  throw new ConfigError(`${name} must be a whole number of characters above 0; got "${raw}"`);
}
