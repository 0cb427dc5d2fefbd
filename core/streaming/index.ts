// Streaming of answers as they are generated: event types, the Redis and in-process stores, and the
// choice between them from the environment.
import { InProcessStreamStore } from './memory.js';
import { RedisStreamStore } from './redis.js';
import type { StreamStore } from './types.js';

export { type InProcessStreamOptions, InProcessStreamStore } from './memory.js';
export { type RedisStreamOptions, RedisStreamStore, STREAM_KEY_PREFIX } from './redis.js';
export * from './types.js';

let processStore: InProcessStreamStore | undefined;

/** The one in-process store of this process, shared by a worker and an API server running together. */
export function processStreamStore(): InProcessStreamStore {
  processStore ??= new InProcessStreamStore();
  return processStore;
}

/**
 * Redis Streams when REDIS_URL is set (LLM_STREAM_MAXLEN and LLM_STREAM_TTL_SECONDS tune them), else
 * this process's in-process store, which only works when the worker and the readers share a process.
 */
export function streamStoreFromEnv(env: NodeJS.ProcessEnv = process.env): StreamStore {
  if (!env.REDIS_URL) return processStreamStore();
  return new RedisStreamStore({
    url: env.REDIS_URL,
    ...(env.LLM_STREAM_MAXLEN ? { maxLength: Number(env.LLM_STREAM_MAXLEN) } : {}),
    ...(env.LLM_STREAM_TTL_SECONDS ? { ttlSeconds: Number(env.LLM_STREAM_TTL_SECONDS) } : {}),
  });
}
