// cacheLookup / cacheStore: the response cache as activities. The workflow looks up after planRoute
// (a hit returns the stored answer with `cached: true` and no provider call) and stores after a
// successful answer. A broken cache back-end never fails a request: it reads as a miss, with the
// reason in history.
import type { RoutePlan } from '../common/plan.js';
import { type CacheKeySource, cacheKeyInput } from '../core/cache/key.js';
import type { CacheLookupResult, CacheStoreResult, ResponseCache } from '../core/cache/responseCache.js';
import type { CachedAnswer, CacheMode } from '../core/cache/types.js';

export interface CacheActivityDeps {
  cache: ResponseCache;
}

export interface CacheLookupInput extends CacheKeySource {
  /** The request's cache mode; read-write when it does not say. */
  mode?: CacheMode;
}

export interface CacheStoreInput extends CacheKeySource {
  plan: Pick<RoutePlan, 'maxOutputTokens' | 'cacheTtlSeconds'>;
  mode?: CacheMode;
  answer: CachedAnswer;
}

export interface CacheActivities {
  cacheLookup(input: CacheLookupInput): Promise<CacheLookupResult>;
  cacheStore(input: CacheStoreInput): Promise<CacheStoreResult>;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function createCacheActivities(deps: CacheActivityDeps): CacheActivities {
  return {
    async cacheLookup(input) {
      const key = cacheKeyInput(input);
      try {
        return await deps.cache.lookup(key, input.mode ?? 'read-write');
      } catch (error) {
        return { hit: false, key: '', reason: `cache unavailable: ${message(error)}` };
      }
    },
    async cacheStore(input) {
      const key = cacheKeyInput(input);
      try {
        return await deps.cache.save(key, input.answer, {
          mode: input.mode ?? 'read-write',
          ttlSeconds: input.plan.cacheTtlSeconds,
        });
      } catch (error) {
        return { stored: false, key: '', reason: `cache unavailable: ${message(error)}` };
      }
    },
  };
}
