// The one place that decides where shared state lives: on Redis when REDIS_URL (or an open
// connection) is given, shared by every worker and API process; otherwise in this process (and in
// directories for blobs). It opens at most one Redis connection and builds every store on it: the
// response cache and its semantic index, rate limiter, spend budgets, usage ledger, circuit state,
// request streams, pipeline blobs and the claim check's blobs. Each store is built on first use, so a
// process that needs only streams never loads the cost-control config files. Key prefixes are the
// ones deployments and drills already read.
import { Redis } from 'ioredis';
import { DEFAULT_PIPELINE_BLOB_DIR } from '../config/env.js';
import type { BackendSettings, ConfigFiles } from '../config/settings.js';
import { claimBlobStore } from './blobs/claims.js';
import type { BlobStore } from './blobs/store.js';
import { loadBudgetConfig } from './budget/config.js';
import { InProcessReservationStore } from './budget/memoryReservations.js';
import { RedisReservationStore } from './budget/redisReservations.js';
import { SpendBudgets } from './budget/spendBudgets.js';
import type { BudgetConfig } from './budget/types.js';
import { type CacheConfig, loadCacheConfig } from './cache/config.js';
import { LruCacheStore } from './cache/lruStore.js';
import { RedisCacheStore } from './cache/redisStore.js';
import { ResponseCache, type SemanticCacheOptions } from './cache/responseCache.js';
import { InProcessVectorIndex } from './cache/semantic/memoryIndex.js';
import { RedisVectorIndex } from './cache/semantic/redisIndex.js';
import {
  type CircuitSettings,
  defaultCircuitSettings,
  type HealthStore,
  InProcessHealthStore,
} from './health/circuit.js';
import { RedisHealthStore } from './health/redisCircuit.js';
import { loadRateLimits } from './limits/config.js';
import { InProcessRateLimiter } from './limits/memoryLimiter.js';
import { RedisRateLimiter } from './limits/redisLimiter.js';
import type { RateLimitConfig, RateLimiter } from './limits/types.js';
import { pipelineBlobDirectory, pipelineBlobRedis } from './pipelines/blobs.js';
import type { Embedder } from './providers/embedder.js';
import { processStreamStore } from './streaming/index.js';
import { RedisStreamStore } from './streaming/redis.js';
import type { StreamStore } from './streaming/types.js';
import { InProcessUsageLedger } from './usage/memoryLedger.js';
import { RedisUsageLedger } from './usage/redisLedger.js';
import type { UsageLedger } from './usage/types.js';

/** The response cache, rate limiter, budgets and usage ledger the activities use. */
export interface CostControls {
  cache: ResponseCache;
  rateLimiter: RateLimiter;
  budgets: SpendBudgets;
  usage: UsageLedger;
}

export interface Backend {
  kind: 'redis' | 'in-process';
  /** The one connection, when on Redis: for readiness probes and the API key store. */
  readonly redis: Redis | undefined;
  readonly cache: ResponseCache;
  readonly rateLimiter: RateLimiter;
  readonly budgets: SpendBudgets;
  readonly usage: UsageLedger;
  /** The four above, as the activities take them. */
  readonly costControls: CostControls;
  readonly streams: StreamStore;
  readonly pipelineBlobs: BlobStore;
  /** The claim check's store; undefined when `settings.claimCheck` is off. */
  readonly claimBlobs: BlobStore | undefined;
  /** Circuit state with the routing policy's threshold and cooldown; a new store per call. */
  healthStore(circuit?: CircuitSettings): HealthStore;
  /** Closes what this opened: the Redis connection it made (not one passed in) and stream readers. */
  close(): Promise<void>;
}

export interface BackendOptions {
  /** From config/env.ts readBackendSettings; without it everything is in-process. */
  settings?: BackendSettings;
  /** An open connection to use instead of `settings.redisUrl` (left open by close()). */
  redis?: Redis;
  /**
   * Connect on the first command rather than at once (a library client that may never stream). A
   * worker connects at once, so its readiness probe sees Redis before the first request does.
   */
  lazyConnect?: boolean;
  /** Where embeddings for the semantic cache come from; semantic caching is off without it. */
  embedder?: Embedder;
  /** The cost-control config files (default: config/*.yaml), unless the configs themselves are given. */
  files?: Pick<ConfigFiles, 'rateLimits' | 'budgets' | 'cache'>;
  limits?: RateLimitConfig;
  budgets?: BudgetConfig;
  cache?: CacheConfig;
  /** Key prefix of the cost controls' Redis keys (default `llm`), so tests and tenants can share a Redis. */
  prefix?: string;
}

/** Builds `make()` on first call and returns the same value after. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

export function createBackend(options: BackendOptions = {}): Backend {
  const settings = options.settings ?? {};
  const url = options.redis ? undefined : settings.redisUrl;
  let owned: Redis | undefined;
  // Opened when a store first needs it, so a process that uses no shared store opens nothing. Few
  // retries per command: a cache lookup should miss quickly while Redis is away, not hang.
  const connection = once((): Redis | undefined => {
    if (options.redis) return options.redis;
    if (!url) return undefined;
    owned = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: options.lazyConnect ?? false });
    return owned;
  });
  const onRedis = Boolean(options.redis ?? url);
  const prefix = options.prefix ?? 'llm';
  const limits = once(() => options.limits ?? loadRateLimits(options.files?.rateLimits));
  const budgetConfig = once(() => options.budgets ?? loadBudgetConfig(options.files?.budgets));
  const cacheConfig = once(() => options.cache ?? loadCacheConfig(options.files?.cache));

  const cache = once(() => {
    const redis = connection();
    const config = cacheConfig();
    const embedder = options.embedder;
    const semantic = (index: SemanticCacheOptions['index']): SemanticCacheOptions | undefined =>
      embedder && Object.keys(config.semantic).length > 0
        ? { index, embedder, settings: (taskType) => config.semantic[taskType] }
        : undefined;
    return redis
      ? new ResponseCache(
          new RedisCacheStore(redis, `${prefix}:cache`),
          semantic(new RedisVectorIndex(redis, `${prefix}:semcache`)),
        )
      : new ResponseCache(new LruCacheStore(config.lru), semantic(new InProcessVectorIndex()));
  });
  const rateLimiter = once((): RateLimiter => {
    const redis = connection();
    return redis
      ? new RedisRateLimiter(redis, limits(), `${prefix}:ratelimit`)
      : new InProcessRateLimiter(limits());
  });
  const budgets = once(() => {
    const redis = connection();
    const store = redis
      ? new RedisReservationStore(redis, `${prefix}:budget`)
      : new InProcessReservationStore();
    return new SpendBudgets(budgetConfig(), store);
  });
  const usage = once((): UsageLedger => {
    const redis = connection();
    return redis ? new RedisUsageLedger(redis, { prefix: `${prefix}:usage` }) : new InProcessUsageLedger();
  });
  let redisStreams: RedisStreamStore | undefined;
  const streams = once((): StreamStore => {
    const redis = connection();
    if (!redis) return processStreamStore();
    redisStreams = new RedisStreamStore({ redis, ...settings.streams });
    return redisStreams;
  });
  const pipelineBlobs = once((): BlobStore => {
    const redis = connection();
    return redis
      ? pipelineBlobRedis(redis, settings.pipelineBlobs?.ttlSeconds)
      : pipelineBlobDirectory(settings.pipelineBlobs?.dir ?? DEFAULT_PIPELINE_BLOB_DIR);
  });
  const claimBlobs = once(() =>
    settings.claimCheck ? claimBlobStore(settings.claimCheck, connection()) : undefined,
  );

  return {
    kind: onRedis ? 'redis' : 'in-process',
    get redis() {
      return connection();
    },
    get cache() {
      return cache();
    },
    get rateLimiter() {
      return rateLimiter();
    },
    get budgets() {
      return budgets();
    },
    get usage() {
      return usage();
    },
    get costControls() {
      return { cache: cache(), rateLimiter: rateLimiter(), budgets: budgets(), usage: usage() };
    },
    get streams() {
      return streams();
    },
    get pipelineBlobs() {
      return pipelineBlobs();
    },
    get claimBlobs() {
      return claimBlobs();
    },
    healthStore(circuit = defaultCircuitSettings) {
      const redis = connection();
      return redis ? new RedisHealthStore(redis, circuit) : new InProcessHealthStore(circuit);
    },
    close: async () => {
      // The in-process stream store is the process's, shared with an API server running beside us.
      await redisStreams?.close();
      const redis = owned;
      if (!redis) return;
      // A lazy connection that never connected has nothing to say goodbye to.
      if (redis.status === 'wait' || redis.status === 'end') redis.disconnect();
      else await redis.quit().catch(() => redis.disconnect());
    },
  };
}
