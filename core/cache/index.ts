export type { Embedder } from '../providers/embedder.js';
export { type CacheConfig, defaultCacheConfig, loadCacheConfig, type SemanticSettings } from './config.js';
export { type CacheKeyInput, type CacheKeySource, cacheKey, cacheKeyInput, semanticScope } from './key.js';
export { LruCacheStore } from './lruStore.js';
export { RedisCacheStore } from './redisStore.js';
export { type CacheLookupResult, type CacheStoreResult, ResponseCache } from './responseCache.js';
export type { VectorIndex } from './semantic/index.js';
export { InProcessVectorIndex } from './semantic/memoryIndex.js';
export { RedisVectorIndex } from './semantic/redisIndex.js';
export {
  CACHE_MODES,
  type CachedAnswer,
  type CacheHitInfo,
  type CacheMode,
  type CacheStore,
} from './types.js';
