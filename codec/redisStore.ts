// Claimed payloads in Redis, one key per sha256. The connection opens on first use and keeps the
// process alive only while a command waits for its reply, so a short-lived client (a CLI command)
// that claimed a payload still exits when its work is done. For the same reason a lost connection
// is re-established only while commands wait; an idle one is dropped and reopened on next use.
import { Redis } from 'ioredis';
import type { BlobStore } from './claimCheck.js';

export class RedisBlobStore implements BlobStore {
  readonly name = 'redis';
  private client: Redis | undefined;
  private inFlight = 0;

  constructor(
    private readonly url: string,
    private readonly prefix = 'llm:claim:',
  ) {}

  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    // NX: content-addressed, so an existing key already holds these bytes.
    await this.run((redis) => redis.set(this.prefix + sha256, Buffer.from(bytes), 'NX'));
  }

  async get(sha256: string): Promise<Uint8Array | undefined> {
    const value = await this.run((redis) => redis.getBuffer(this.prefix + sha256));
    return value ?? undefined;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.quit().catch(() => client.disconnect());
  }

  private connection(): Redis {
    if (this.client && this.client.status !== 'end') return this.client;
    const client = new Redis(this.url, {
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
