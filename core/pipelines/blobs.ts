// Where large pipeline values live instead of in workflow histories: content-addressed JSON, keyed
// by the sha256 of its text, in a directory (PIPELINE_BLOB_DIR, default .data/blobs) or in Redis when
// REDIS_URL is set. Content addressing makes storing idempotent: a retried storeBlob writes the same
// key, and two steps with the same output share one blob.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { projectRoot } from '../../config/paths.js';

export interface BlobStore {
  /** Stores the text under its key; storing the same key twice is harmless. */
  put(key: string, text: string): Promise<void>;
  /** The text stored under the key, or undefined. */
  get(key: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export const BLOB_REF_PREFIX = 'blob:';

export function blobKey(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** One file per blob, `<dir>/<first two hex digits>/<sha256>.json`, written atomically. */
export class DirectoryBlobStore implements BlobStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  private path(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`not a blob key: ${key}`);
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async put(key: string, text: string): Promise<void> {
    const path = this.path(key);
    if (await exists(path)) return;
    await mkdir(dirname(path), { recursive: true });
    // Write then rename, so a reader never sees half a blob even when two workers store it at once.
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, path);
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.path(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async close(): Promise<void> {}
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export interface RedisBlobStoreOptions {
  redis?: Redis;
  url?: string;
  keyPrefix?: string;
  /** Seconds a blob is kept; it must outlive the pipelines that refer to it (default 7 days). */
  ttlSeconds?: number;
}

/** One string per blob, `llm:blob:<sha256>`, expiring after `ttlSeconds`. */
export class RedisBlobStore implements BlobStore {
  private readonly redis: Redis;
  private readonly ownsConnection: boolean;
  private readonly keyPrefix: string;
  private readonly ttlSeconds: number;

  constructor(options: RedisBlobStoreOptions) {
    if (!options.redis && !options.url)
      throw new Error('RedisBlobStore needs a `redis` connection or a `url`');
    this.ownsConnection = !options.redis;
    this.redis = options.redis ?? new Redis(options.url as string, { maxRetriesPerRequest: 3 });
    // A failed command rejects with the error; without a listener ioredis would also log it.
    if (this.ownsConnection) this.redis.on('error', () => {});
    this.keyPrefix = options.keyPrefix ?? 'llm:blob:';
    this.ttlSeconds = options.ttlSeconds ?? 7 * 24 * 3600;
  }

  async put(key: string, text: string): Promise<void> {
    await this.redis.set(`${this.keyPrefix}${key}`, text, 'EX', this.ttlSeconds);
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(`${this.keyPrefix}${key}`)) ?? undefined;
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.redis.quit();
  }
}

export function defaultBlobDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PIPELINE_BLOB_DIR ?? join(projectRoot, '.data', 'blobs');
}

/** Redis when REDIS_URL is set, else the PIPELINE_BLOB_DIR directory. */
export function blobStoreFromEnv(env: NodeJS.ProcessEnv = process.env): BlobStore {
  const ttl = env.PIPELINE_BLOB_TTL_SECONDS ? Number(env.PIPELINE_BLOB_TTL_SECONDS) : undefined;
  if (env.REDIS_URL) return new RedisBlobStore({ url: env.REDIS_URL, ...(ttl ? { ttlSeconds: ttl } : {}) });
  return new DirectoryBlobStore(defaultBlobDir(env));
}
