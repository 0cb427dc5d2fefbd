// Blobs in Redis, one string key per sha256 under a prefix (`llm:claim:` for the claim check,
// `llm:blob:` for pipelines). Given a connection, the store shares it and leaves it open. Given a
// URL, it opens its own on first use that keeps the process alive only while a command waits for its
// reply, so a short-lived client (a CLI command) that claimed a payload still exits when its work is
// done; for the same reason a lost connection is re-established only while commands wait.
import { Redis } from 'ioredis';
import { type BlobStore, checkedKey } from './store.js';

export interface RedisBlobOptions {
  /** Key prefix, e.g. `llm:claim:`; the key is the prefix followed by the sha256. */
  prefix: string;
  /**
   * Seconds a blob is kept, refreshed by every put (pipelines: it must outlive the pipelines that
   * refer to it). Without it blobs never expire and a put of an existing key writes nothing.
   */
  ttlSeconds?: number;
}

export class RedisBlobStore implements BlobStore {
  readonly name = 'redis';
  private client: Redis | undefined;
  private inFlight = 0;

  constructor(
    private readonly source: Redis | string,
    private readonly options: RedisBlobOptions,
  ) {
    if (typeof source !== 'string') this.client = source;
  }

  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    const key = this.options.prefix + checkedKey(sha256);
    const value = Buffer.from(bytes);
    const ttl = this.options.ttlSeconds;
    // NX without a TTL: content-addressed, so an existing key already holds these bytes.
    await this.run((redis) => (ttl ? redis.set(key, value, 'EX', ttl) : redis.set(key, value, 'NX')));
  }

  async get(sha256: string): Promise<Uint8Array | undefined> {
    const value = await this.run((redis) => redis.getBuffer(this.options.prefix + checkedKey(sha256)));
    return value ?? undefined;
  }

  async close(): Promise<void> {
    if (typeof this.source !== 'string') return;
    const client = this.client;
    this.client = undefined;
    if (client) await client.quit().catch(() => client.disconnect());
  }

  private connection(): Redis {
    if (typeof this.source !== 'string') return this.source;
    if (this.client && this.client.status !== 'end') return this.client;
    const client = new Redis(this.source, {
      lazyConnect: true,
      maxRetriesPerRequest: 3,
      retryStrategy: (times) => (this.inFlight > 0 && times <= 10 ? Math.min(times * 100, 1000) : null),
    });
    client.on('connect', () => {
      if (this.inFlight === 0) client.stream?.unref();
    });
    // Commands reject with the error; the event would otherwise be reported as unhandled.
    client.on('error', () => {});
    this.client = client;
    return client;
  }

  private async run<T>(command: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = this.connection();
    // A shared connection is its owner's to keep alive or not.
    if (typeof this.source !== 'string') return command(redis);
    this.inFlight++;
    redis.stream?.ref();
    try {
      return await command(redis);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) redis.stream?.unref();
    }
  }
}
