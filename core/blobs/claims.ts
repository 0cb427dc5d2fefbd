// Where the codec's claim check keeps payloads: the layouts stored claims already have (a flat
// directory of `<sha256>` files, or Redis keys `llm:claim:<sha256>` that never expire), chosen by
// the claim-check settings. Both the backend (on its shared connection) and a client that reads the
// environment alone (with a connection of the store's own) build the store here.
import type { Redis } from 'ioredis';
import type { ClaimCheckSettings } from '../../config/settings.js';
import { DirectoryBlobStore } from './directory.js';
import { RedisBlobStore } from './redis.js';
import type { BlobStore } from './store.js';

export const CLAIM_BLOB_PREFIX = 'llm:claim:';

/** A URL gets a connection that does not keep a short-lived process alive; a connection is shared. */
export function claimBlobStore(settings: ClaimCheckSettings, redis: Redis | string | undefined): BlobStore {
  if (settings.store === 'dir') return new DirectoryBlobStore(settings.dir);
  if (!redis) throw new Error('the claim check is set to Redis, but no Redis connection was given');
  return new RedisBlobStore(redis, { prefix: CLAIM_BLOB_PREFIX });
}
