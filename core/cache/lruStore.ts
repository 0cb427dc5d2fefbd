// In-process exact-match store: an LRU bounded by entry count and by approximate size, with a TTL
// per entry. The default when no Redis is configured; each worker then has its own cache.
import { LRUCache } from 'lru-cache';
import type { CacheEntry, CacheStore } from './types.js';

export interface LruStoreOptions {
  /** Most entries kept (default 10,000). */
  maxEntries?: number;
  /** Most bytes kept, counting each entry's JSON length (default 64 MiB). */
  maxBytes?: number;
}

export class LruCacheStore implements CacheStore {
  private readonly entries: LRUCache<string, CacheEntry>;

  constructor(options: LruStoreOptions = {}) {
    this.entries = new LRUCache<string, CacheEntry>({
      max: options.maxEntries ?? 10_000,
      maxSize: options.maxBytes ?? 64 * 1024 * 1024,
      sizeCalculation: (entry) => Math.max(1, JSON.stringify(entry).length),
    });
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    return this.entries.get(key);
  }

  async set(key: string, entry: CacheEntry, ttlSeconds: number): Promise<void> {
    if (ttlSeconds <= 0) return;
    this.entries.set(key, entry, { ttl: ttlSeconds * 1000 });
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }
}
