// Exact-match store in Redis, shared by every worker: one string per entry holding its JSON, expired
// by Redis itself.
import type { Redis } from 'ioredis';
import type { CacheEntry, CacheStore } from './types.js';

export class RedisCacheStore implements CacheStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'llm:cache',
  ) {}

  async get(key: string): Promise<CacheEntry | undefined> {
    const text = await this.redis.get(`${this.prefix}:${key}`);
    return text === null ? undefined : (JSON.parse(text) as CacheEntry);
  }

  async set(key: string, entry: CacheEntry, ttlSeconds: number): Promise<void> {
    if (ttlSeconds <= 0) return;
    await this.redis.set(`${this.prefix}:${key}`, JSON.stringify(entry), 'PX', Math.ceil(ttlSeconds * 1000));
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(`${this.prefix}:${key}`);
  }
}
