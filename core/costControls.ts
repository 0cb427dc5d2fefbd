// Builds the cache, rate limiter, budgets and usage ledger once per worker: on Redis when REDIS_URL
// (or a connection) is given, shared by every worker; otherwise in this process. The worker puts the
// result's fields into ActivityDeps and calls close() on shutdown.
import { Redis } from 'ioredis';
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
import { loadRateLimits } from './limits/config.js';
import { InProcessRateLimiter } from './limits/memoryLimiter.js';
import { RedisRateLimiter } from './limits/redisLimiter.js';
import type { RateLimitConfig, RateLimiter } from './limits/types.js';
import {
  createEmbedder,
  type Embedder,
  type EmbeddingSource,
  embeddingSource,
} from './providers/embeddings.js';
import { providerSettingsFromEnv } from './providers/settings.js';
import { InProcessUsageLedger } from './usage/memoryLedger.js';
import { RedisUsageLedger } from './usage/redisLedger.js';
import type { UsageLedger } from './usage/types.js';

export interface CostControls {
  backend: 'redis' | 'in-process';
  cache: ResponseCache;
  rateLimiter: RateLimiter;
  budgets: SpendBudgets;
  usage: UsageLedger;
  /** Closes the Redis connection this created (not one passed in). */
  close(): Promise<void>;
}

export interface CostControlsOptions {
  /** A Redis URL (`redis://host:port`); without it and without `redis`, everything is in-process. */
  redisUrl?: string;
  /** An open connection to use instead of `redisUrl` (left open by close()). */
  redis?: Redis;
  /** Where embeddings for the semantic cache come from; semantic caching is off without it. */
  embeddings?: EmbeddingSource | Embedder;
  limits?: RateLimitConfig;
  budgets?: BudgetConfig;
  cache?: CacheConfig;
  /** Key prefix for every Redis key (default `llm`), so tests and tenants can share a Redis. */
  prefix?: string;
}

function embedderFrom(options: CostControlsOptions, config: CacheConfig): Embedder | undefined {
  const source = options.embeddings;
  if (!source) return undefined;
  if ('embed' in source) return source;
  return createEmbedder(source, {
    model: config.embeddingModel,
    ...(config.embeddingDimensions ? { dimensions: config.embeddingDimensions } : {}),
  });
}

export function createCostControls(options: CostControlsOptions = {}): CostControls {
  const limits = options.limits ?? loadRateLimits();
  const budgetConfig = options.budgets ?? loadBudgetConfig();
  const cacheConfig = options.cache ?? loadCacheConfig();
  const prefix = options.prefix ?? 'llm';
  // Few retries per command: a cache lookup should miss quickly while Redis is away, not hang.
  const owned =
    !options.redis && options.redisUrl ? new Redis(options.redisUrl, { maxRetriesPerRequest: 2 }) : undefined;
  const redis = options.redis ?? owned;

  const embedder = embedderFrom(options, cacheConfig);
  const semantic = (index: SemanticCacheOptions['index']): SemanticCacheOptions | undefined =>
    embedder && Object.keys(cacheConfig.semantic).length > 0
      ? { index, embedder, settings: (taskType) => cacheConfig.semantic[taskType] }
      : undefined;

  if (redis) {
    return {
      backend: 'redis',
      cache: new ResponseCache(
        new RedisCacheStore(redis, `${prefix}:cache`),
        semantic(new RedisVectorIndex(redis, `${prefix}:semcache`)),
      ),
      rateLimiter: new RedisRateLimiter(redis, limits, `${prefix}:ratelimit`),
      budgets: new SpendBudgets(budgetConfig, new RedisReservationStore(redis, `${prefix}:budget`)),
      usage: new RedisUsageLedger(redis, { prefix: `${prefix}:usage` }),
      close: async () => {
        await owned?.quit();
      },
    };
  }
  return {
    backend: 'in-process',
    cache: new ResponseCache(new LruCacheStore(cacheConfig.lru), semantic(new InProcessVectorIndex())),
    rateLimiter: new InProcessRateLimiter(limits),
    budgets: new SpendBudgets(budgetConfig, new InProcessReservationStore()),
    usage: new InProcessUsageLedger(),
    close: async () => {},
  };
}

/** From the environment: REDIS_URL, and the provider table's embeddings key and base URL. */
export function costControlsFromEnv(env: NodeJS.ProcessEnv = process.env): CostControls {
  const embeddings = embeddingSource(providerSettingsFromEnv(env));
  return createCostControls({
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    ...(embeddings ? { embeddings } : {}),
  });
}
