// The one place that reads the environment: each reader turns the variables of one concern into the
// typed value of config/settings.ts, and a bad value fails at once with a ConfigError that names the
// variable. The names and meanings are the ones README documents; an empty variable counts as unset.
import { join } from 'node:path';
import { type BatchSettings, DEFAULT_BATCH_SETTINGS } from '../common/batches.js';
import { ConfigError } from '../common/errors.js';
import { projectRoot } from './paths.js';
import {
  type ApiSettings,
  type BackendSettings,
  type ClaimCheckSettings,
  type CodecServerSettings,
  type ConfigFiles,
  LOG_LEVELS,
  type LogLevelName,
  type LogSettings,
  type TemporalSettings,
  type WorkerTuning,
} from './settings.js';

type Env = NodeJS.ProcessEnv;

export const DEFAULT_PIPELINE_BLOB_DIR: string = join(projectRoot, '.data', 'blobs');
export const DEFAULT_CLAIM_CHECK_DIR = '.data/claims';
export const DEFAULT_MAX_REQUEST_BYTES = 1_500_000;

export const defaultTuning: WorkerTuning = {
  // A thousand provider calls in flight on one worker (bench/README.md measures it).
  maxConcurrentActivityTaskExecutions: 1000,
  maxConcurrentLocalActivityExecutions: 200,
  // Eager starts and dispatches hand tasks straight to this worker: room for bursts.
  maxConcurrentWorkflowTaskExecutions: 200,
  // Up to 50 calls in flight each beat every second; more share 50 a second (bench/README.md).
  heartbeatsPerSecond: 50,
};

export const defaultLogSettings: LogSettings = {
  level: 'info',
  traceRequests: false,
  tokenUsage: false,
  prompts: false,
  maxPromptChars: 1000,
  genAiSpans: false,
};

/** The variable's trimmed text, or undefined when it is unset or empty. */
function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function positiveInteger(env: Env, name: string, what: string): number | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (Number.isInteger(value) && value > 0) return value;
  throw new ConfigError(`${name} must be ${what} above 0; got "${raw}"; unset it for the default`);
}

export function readTemporalSettings(env: Env = process.env): TemporalSettings {
  return {
    address: text(env, 'TEMPORAL_ADDRESS') ?? 'localhost:7233',
    namespace: text(env, 'TEMPORAL_NAMESPACE') ?? 'default',
    taskQueue: text(env, 'LLM_TASK_QUEUE') ?? 'llm-requests',
  };
}

export function readConfigFiles(env: Env = process.env): ConfigFiles {
  const optional = (name: string, key: keyof ConfigFiles): Partial<ConfigFiles> => {
    const value = text(env, name);
    return value ? { [key]: value } : {};
  };
  return {
    templatesDir: text(env, 'TEMPLATES_DIR') ?? join(projectRoot, 'templates'),
    pipelinesDir: text(env, 'PIPELINES_DIR') ?? join(projectRoot, 'pipelines'),
    ...optional('MODEL_CATALOG', 'modelCatalog'),
    ...optional('ROUTING_TABLE', 'routingTable'),
    ...optional('RATE_LIMITS_FILE', 'rateLimits'),
    ...optional('BUDGETS_FILE', 'budgets'),
    ...optional('CACHE_CONFIG', 'cache'),
  };
}

/** REDIS_URL: where every shared store lives; undefined for in-process. */
export function readRedisUrl(env: Env = process.env): string | undefined {
  return text(env, 'REDIS_URL');
}

/** REDIS_URL, the stream and pipeline-blob tuning, and the claim check. */
export function readBackendSettings(env: Env = process.env): BackendSettings {
  const redisUrl = readRedisUrl(env);
  const maxLength = positiveInteger(env, 'LLM_STREAM_MAXLEN', 'a whole number of entries');
  const streamTtl = positiveInteger(env, 'LLM_STREAM_TTL_SECONDS', 'a whole number of seconds');
  const blobTtl = positiveInteger(env, 'PIPELINE_BLOB_TTL_SECONDS', 'a whole number of seconds');
  const claimCheck = readClaimCheckSettings(env);
  return {
    ...(redisUrl ? { redisUrl } : {}),
    streams: {
      ...(maxLength ? { maxLength } : {}),
      ...(streamTtl ? { ttlSeconds: streamTtl } : {}),
    },
    pipelineBlobs: {
      dir: text(env, 'PIPELINE_BLOB_DIR') ?? DEFAULT_PIPELINE_BLOB_DIR,
      ...(blobTtl ? { ttlSeconds: blobTtl } : {}),
    },
    ...(claimCheck ? { claimCheck } : {}),
  };
}

/**
 * On when CLAIM_CHECK_STORE, CLAIM_CHECK_DIR or CLAIM_CHECK_THRESHOLD_BYTES is set (REDIS_URL alone
 * does not turn it on: other parts of the orchestrator use Redis too); CLAIM_CHECK_STORE=off wins.
 */
export function readClaimCheckSettings(env: Env = process.env): ClaimCheckSettings | undefined {
  const kind = text(env, 'CLAIM_CHECK_STORE')?.toLowerCase();
  const dir = text(env, 'CLAIM_CHECK_DIR');
  const threshold = text(env, 'CLAIM_CHECK_THRESHOLD_BYTES');
  if (kind === 'off') return undefined;
  if (!kind && !dir && !threshold) return undefined;
  const store = kind ?? (dir ? 'dir' : readRedisUrl(env) ? 'redis' : 'dir');
  if (store !== 'dir' && store !== 'redis')
    throw new ConfigError(`CLAIM_CHECK_STORE must be redis, dir or off; got "${kind}"`);
  if (store === 'redis' && !readRedisUrl(env))
    throw new ConfigError('CLAIM_CHECK_STORE=redis needs REDIS_URL (e.g. redis://localhost:6379)');
  let thresholdBytes: number | undefined;
  if (threshold) {
    thresholdBytes = Number(threshold);
    if (!Number.isInteger(thresholdBytes) || thresholdBytes < 0)
      throw new ConfigError(
        `CLAIM_CHECK_THRESHOLD_BYTES must be a whole number of bytes; got "${threshold}"`,
      );
  }
  return {
    store,
    dir: dir ?? DEFAULT_CLAIM_CHECK_DIR,
    ...(thresholdBytes !== undefined ? { thresholdBytes } : {}),
  };
}

const tuningVariables: Record<keyof WorkerTuning, string> = {
  maxConcurrentActivityTaskExecutions: 'WORKER_MAX_CONCURRENT_ACTIVITIES',
  maxConcurrentLocalActivityExecutions: 'WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES',
  maxConcurrentWorkflowTaskExecutions: 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS',
  maxCachedWorkflows: 'WORKER_MAX_CACHED_WORKFLOWS',
  heartbeatsPerSecond: 'WORKER_HEARTBEATS_PER_SECOND',
};

/** The defaults, with any WORKER_MAX_* variable set; a value that is not a positive integer is refused. */
export function readWorkerTuning(env: Env = process.env): WorkerTuning {
  const tuning: WorkerTuning = { ...defaultTuning };
  for (const [key, name] of Object.entries(tuningVariables) as [keyof WorkerTuning, string][]) {
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

/** LOG_LEVEL, TRACE_REQUESTS and LOG_TOKEN_USAGE (the seed's), LOG_PROMPTS and LOG_PROMPT_MAX_CHARS (ours). */
export function readLogSettings(env: Env = process.env): LogSettings {
  const maxPromptChars = text(env, 'LOG_PROMPT_MAX_CHARS');
  const chars = maxPromptChars === undefined ? defaultLogSettings.maxPromptChars : Number(maxPromptChars);
  if (!Number.isInteger(chars) || chars <= 0)
    throw new ConfigError(
      `LOG_PROMPT_MAX_CHARS must be a whole number of characters above 0; got "${maxPromptChars}"`,
    );
  return {
    level: logLevel(env.LOG_LEVEL),
    traceRequests: flag('TRACE_REQUESTS', env.TRACE_REQUESTS),
    tokenUsage: flag('LOG_TOKEN_USAGE', env.LOG_TOKEN_USAGE),
    prompts: flag('LOG_PROMPTS', env.LOG_PROMPTS),
    maxPromptChars: chars,
    genAiSpans: (env.OTEL_SEMCONV_STABILITY_OPT_IN ?? '')
      .split(',')
      .map((option) => option.trim())
      .includes('gen_ai_latest_experimental'),
  };
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

/** API_PORT, API_HOST, API_KEYS_FILE and API_KEYS. */
export function readApiSettings(env: Env = process.env): ApiSettings {
  const rawPort = text(env, 'API_PORT');
  const port = rawPort === undefined ? 8080 : Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`API_PORT must be a TCP port (0-65535); got "${rawPort}"`);
  const keysFile = text(env, 'API_KEYS_FILE');
  const keysList = text(env, 'API_KEYS');
  return {
    port,
    host: text(env, 'API_HOST') ?? '127.0.0.1',
    ...(keysFile ? { keysFile } : {}),
    ...(keysList ? { keysList } : {}),
  };
}

/** The Temporal dev server's UI; set CODEC_SERVER_CORS_ORIGINS for any other. */
export const DEFAULT_UI_ORIGIN = 'http://localhost:8233';

/** CODEC_SERVER_TOKEN and CODEC_SERVER_CORS_ORIGINS (comma-separated; a trailing slash is dropped). */
export function readCodecServerSettings(env: Env = process.env): CodecServerSettings {
  const token = text(env, 'CODEC_SERVER_TOKEN');
  const corsOrigins = (env.CODEC_SERVER_CORS_ORIGINS ?? DEFAULT_UI_ORIGIN)
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  return { ...(token ? { token } : {}), corsOrigins };
}

/** LLM_MAX_REQUEST_BYTES: the largest request accepted at the edge (default 1.5 MB). */
export function readMaxRequestBytes(env: Env = process.env): number {
  return (
    positiveInteger(env, 'LLM_MAX_REQUEST_BYTES', 'a whole number of bytes') ?? DEFAULT_MAX_REQUEST_BYTES
  );
}

/** WORKFLOW_BUNDLE_PATH: a workflow bundle built once (by the test runner) for every worker. */
export function readWorkflowBundlePath(env: Env = process.env): string | undefined {
  return text(env, 'WORKFLOW_BUNDLE_PATH');
}

/**
 * How collectors fill provider batches and how those are polled: the defaults (common/batches.ts),
 * with LLM_BATCH_MAX_ITEMS, LLM_BATCH_MAX_WAIT_MS, LLM_BATCH_POLL_INITIAL_MS, LLM_BATCH_POLL_MAX_MS
 * and LLM_BATCH_ON_ITEM_FAILURE (`same-model` or `next-model`) when set.
 */
export function readBatchSettings(env: Env = process.env): BatchSettings {
  const ms = 'a whole number of milliseconds';
  const onItemFailure = text(env, 'LLM_BATCH_ON_ITEM_FAILURE');
  if (onItemFailure !== undefined && onItemFailure !== 'same-model' && onItemFailure !== 'next-model')
    throw new ConfigError(
      `LLM_BATCH_ON_ITEM_FAILURE must be same-model or next-model; got "${onItemFailure}"; unset it for same-model`,
    );
  const read = {
    maxItems: positiveInteger(env, 'LLM_BATCH_MAX_ITEMS', 'a whole number of requests'),
    maxWaitMs: positiveInteger(env, 'LLM_BATCH_MAX_WAIT_MS', ms),
    pollInitialMs: positiveInteger(env, 'LLM_BATCH_POLL_INITIAL_MS', ms),
    pollMaxMs: positiveInteger(env, 'LLM_BATCH_POLL_MAX_MS', ms),
    onItemFailure,
  };
  const set = Object.fromEntries(Object.entries(read).filter(([, value]) => value !== undefined));
  return { ...DEFAULT_BATCH_SETTINGS, ...set };
}
