// The orchestrator's settings as typed values: what config/env.ts reads from the environment and
// what the composition roots (workers/main.ts, cli/, api/run.ts, scripts/start.ts) hand to the code
// below them, so no module under them reads process.env itself.

/** Where Temporal is and which task queue the orchestrator serves. */
export interface TemporalSettings {
  /** TEMPORAL_ADDRESS (default localhost:7233). */
  address: string;
  /** TEMPORAL_NAMESPACE (default `default`). */
  namespace: string;
  /** LLM_TASK_QUEUE (default `llm-requests`). */
  taskQueue: string;
}

/** Redis Streams tuning (defaults in core/streaming/redis.ts). */
export interface StreamSettings {
  /** LLM_STREAM_MAXLEN: entries kept per request stream. */
  maxLength?: number;
  /** LLM_STREAM_TTL_SECONDS: seconds a stream lives after its last event. */
  ttlSeconds?: number;
}

export interface PipelineBlobSettings {
  /** PIPELINE_BLOB_DIR (default .data/blobs in the project): used when Redis is not. */
  dir: string;
  /** PIPELINE_BLOB_TTL_SECONDS: how long a blob is kept in Redis (default 7 days). */
  ttlSeconds?: number;
}

/** The claim check (codec/claimCheck.ts); absent from BackendSettings when it is off. */
export interface ClaimCheckSettings {
  /** CLAIM_CHECK_STORE, else `dir` when CLAIM_CHECK_DIR is set, else `redis` when REDIS_URL is. */
  store: 'dir' | 'redis';
  /** CLAIM_CHECK_DIR (default .data/claims, relative to the working directory). */
  dir: string;
  /** CLAIM_CHECK_THRESHOLD_BYTES: payloads larger than this are claimed (codec's default: 128 KiB). */
  thresholdBytes?: number;
}

/** What decides where shared state lives: Redis when `redisUrl` is set, this process otherwise. */
export interface BackendSettings {
  /** REDIS_URL. */
  redisUrl?: string;
  /** Default: core/streaming/redis.ts's. */
  streams?: StreamSettings;
  /** Default: the project's .data/blobs directory, 7 days in Redis. */
  pipelineBlobs?: PipelineBlobSettings;
  claimCheck?: ClaimCheckSettings;
}

/** Configuration files and folders; each undefined one is the project's own default. */
export interface ConfigFiles {
  /** TEMPLATES_DIR (default templates/). */
  templatesDir: string;
  /** PIPELINES_DIR (default pipelines/). */
  pipelinesDir: string;
  /** MODEL_CATALOG. */
  modelCatalog?: string;
  /** ROUTING_TABLE. */
  routingTable?: string;
  /** RATE_LIMITS_FILE. */
  rateLimits?: string;
  /** BUDGETS_FILE. */
  budgets?: string;
  /** CACHE_CONFIG. */
  cache?: string;
}

/** The worker's capacity: how much it runs at once and how many workflows it keeps in memory. */
export interface WorkerTuning {
  /** WORKER_MAX_CONCURRENT_ACTIVITIES: provider calls in flight (they wait on the network, so many fit). */
  maxConcurrentActivityTaskExecutions: number;
  /** WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES. */
  maxConcurrentLocalActivityExecutions: number;
  /** WORKER_MAX_CONCURRENT_WORKFLOW_TASKS. */
  maxConcurrentWorkflowTaskExecutions: number;
  /**
   * WORKER_MAX_CACHED_WORKFLOWS: workflows kept in memory between their tasks (the sticky cache). A
   * workflow pushed out is replayed from its history when it next has work: fewer means less memory
   * and more replay CPU. Absent: the SDK's default, which sizes it from the heap limit.
   */
  maxCachedWorkflows?: number;
  /**
   * WORKER_HEARTBEATS_PER_SECOND: heartbeats this worker's provider calls share (each is an RPC, a
   * server write and a Temporal Cloud Action); with more calls in flight each beats less often
   * (activities/heartbeats.ts).
   */
  heartbeatsPerSecond: number;
}

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
  /**
   * OTEL_SEMCONV_STABILITY_OPT_IN includes `gen_ai_latest_experimental`: provider-call spans carry
   * OpenTelemetry's GenAI attributes (upstream still marks them Development, hence the opt-in).
   */
  genAiSpans: boolean;
}

/** `llm-orchestrator codec-server`: who may call it. */
export interface CodecServerSettings {
  /** CODEC_SERVER_TOKEN: the bearer token callers must present; the server refuses to start without it. */
  token?: string;
  /** CODEC_SERVER_CORS_ORIGINS: UI origins allowed to call it (default: the dev server's UI). */
  corsOrigins: string[];
}

/** The HTTP API's address and where its keys come from. */
export interface ApiSettings {
  /** API_PORT (default 8080). */
  port: number;
  /** API_HOST (default 127.0.0.1). */
  host: string;
  /** API_KEYS_FILE: YAML or JSON list of keys. */
  keysFile?: string;
  /** API_KEYS: "key:caller,key:caller:tenant" for development. */
  keysList?: string;
}
