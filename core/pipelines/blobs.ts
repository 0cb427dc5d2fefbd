// Where large pipeline values live instead of in workflow histories: JSON text in the one blob store
// (core/blobs/), keyed by the sha256 of the text, in a directory (PIPELINE_BLOB_DIR, default
// .data/blobs) or in Redis. Content addressing makes storing idempotent: a retried storeBlob writes
// the same key, and two steps with the same output share one blob.
import type { Redis } from 'ioredis';
import { DirectoryBlobStore, type DirectoryLayout } from '../blobs/directory.js';
import { RedisBlobStore } from '../blobs/redis.js';
import { type BlobStore, sha256Hex } from '../blobs/store.js';

export type { BlobStore } from '../blobs/store.js';

export const BLOB_REF_PREFIX = 'blob:';

/** `<dir>/<first two hex digits>/<sha256>.json`, as pipelines have always stored them. */
export const PIPELINE_BLOB_LAYOUT: DirectoryLayout = { fanOut: true, suffix: '.json' };
/** Redis keys `llm:blob:<sha256>`. */
export const PIPELINE_BLOB_PREFIX = 'llm:blob:';
/** Blobs must outlive the pipelines that refer to them. */
export const DEFAULT_PIPELINE_BLOB_TTL_SECONDS = 7 * 24 * 3600;

export function blobKey(text: string): string {
  return sha256Hex(text);
}

export function pipelineBlobDirectory(dir: string): BlobStore {
  return new DirectoryBlobStore(dir, PIPELINE_BLOB_LAYOUT);
}

/** A connection is shared and left open; a URL gets a connection of the store's own. */
export function pipelineBlobRedis(
  redis: Redis | string,
  ttlSeconds: number = DEFAULT_PIPELINE_BLOB_TTL_SECONDS,
): BlobStore {
  return new RedisBlobStore(redis, { prefix: PIPELINE_BLOB_PREFIX, ttlSeconds });
}

/** Stores a value's JSON text; returns its key. */
export async function putText(store: BlobStore, text: string): Promise<string> {
  const key = blobKey(text);
  await store.put(key, Buffer.from(text, 'utf8'));
  return key;
}

/** The text stored under the key, or undefined. */
export async function getText(store: BlobStore, key: string): Promise<string | undefined> {
  const bytes = await store.get(key);
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
}
