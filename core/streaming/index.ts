// Streaming of answers as they are generated: event types and the Redis and in-process stores. Which
// one a process uses is decided with every other store in core/backend.ts.
import { InProcessStreamStore } from './memory.js';

export { type InProcessStreamOptions, InProcessStreamStore } from './memory.js';
export { type RedisStreamOptions, RedisStreamStore, STREAM_KEY_PREFIX } from './redis.js';
export * from './types.js';

let processStore: InProcessStreamStore | undefined;

/** The one in-process store of this process, shared by a worker and an API server running together. */
export function processStreamStore(): InProcessStreamStore {
  processStore ??= new InProcessStreamStore();
  return processStore;
}
