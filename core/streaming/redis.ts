// Request streams on Redis Streams: the provider activity XADDs each event to `llm:stream:<requestId>`
// (trimmed to about `maxLength` entries, expiring `ttlSeconds` after the last event), and readers XREAD
// after the last entry id they saw, so any API process can serve any request's stream and a reader
// that disconnects re-attaches where it left off.
import { Redis } from 'ioredis';
import type { StreamEntry, StreamEvent, StreamReadOptions, StreamStore } from './types.js';

export interface RedisStreamOptions {
  /** A connection to use (not closed by `close()`); else one is opened to `url`. */
  redis?: Redis;
  url?: string;
  /** Approximate entries kept per request (XADD MAXLEN ~); a longer answer loses its oldest deltas. */
  maxLength?: number;
  /** Seconds a stream lives after its last event. */
  ttlSeconds?: number;
  keyPrefix?: string;
  /** Idle blocking connections kept for the next reader. */
  maxIdleReaders?: number;
}

export const STREAM_KEY_PREFIX = 'llm:stream:';
const DEFAULT_MAX_LENGTH = 10_000;
const DEFAULT_TTL_SECONDS = 3600;
const DEFAULT_COUNT = 1000;

export class RedisStreamStore implements StreamStore {
  private readonly redis: Redis;
  private readonly ownsConnection: boolean;
  private readonly maxLength: number;
  private readonly ttlSeconds: number;
  private readonly keyPrefix: string;
  private readonly maxIdleReaders: number;
  /** A blocking XREAD holds its connection, so each waiting reader borrows one of these. */
  private readonly idleReaders: Redis[] = [];
  private readonly busyReaders = new Set<Redis>();
  private closed = false;

  constructor(options: RedisStreamOptions = {}) {
    if (!options.redis && !options.url)
      throw new Error('RedisStreamStore needs a `redis` connection or a `url`');
    this.ownsConnection = !options.redis;
    // Lazy: a client that never streams never connects.
    this.redis = options.redis ?? new Redis(options.url as string, { lazyConnect: true });
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    this.keyPrefix = options.keyPrefix ?? STREAM_KEY_PREFIX;
    this.maxIdleReaders = options.maxIdleReaders ?? 16;
  }

  key(requestId: string): string {
    return `${this.keyPrefix}${requestId}`;
  }

  async publish(requestId: string, event: StreamEvent): Promise<void> {
    const key = this.key(requestId);
    // One round trip; commands on one connection stay in order, so events arrive in publish order.
    const results = await this.redis
      .pipeline()
      .xadd(key, 'MAXLEN', '~', this.maxLength, '*', 'event', JSON.stringify(event))
      .expire(key, this.ttlSeconds)
      .exec();
    const failed = results?.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  async read(requestId: string, afterId: string, options: StreamReadOptions = {}): Promise<StreamEntry[]> {
    const count = options.count ?? DEFAULT_COUNT;
    const blockMs = Math.max(0, Math.round(options.blockMs ?? 0));
    const key = this.key(requestId);
    if (blockMs === 0 || options.signal?.aborted) {
      return parseReply(await this.redis.call('XREAD', 'COUNT', count, 'STREAMS', key, afterId));
    }
    const connection = this.borrow();
    // Aborting drops the connection: a blocked XREAD cannot be withdrawn otherwise.
    const abort = (): void => connection.disconnect();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      const reply = await connection.call('XREAD', 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', key, afterId);
      return parseReply(reply);
    } catch (error) {
      if (options.signal?.aborted) return [];
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', abort);
      this.giveBack(connection, options.signal?.aborted ?? false);
    }
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const connection of [...this.idleReaders, ...this.busyReaders]) connection.disconnect();
    this.idleReaders.length = 0;
    this.busyReaders.clear();
    if (this.ownsConnection) await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private borrow(): Redis {
    if (this.closed) throw new Error('the stream store is closed');
    const connection = this.idleReaders.pop() ?? this.redis.duplicate();
    this.busyReaders.add(connection);
    return connection;
  }

  private giveBack(connection: Redis, dropped: boolean): void {
    this.busyReaders.delete(connection);
    if (dropped || this.closed || this.idleReaders.length >= this.maxIdleReaders) connection.disconnect();
    else this.idleReaders.push(connection);
  }
}

type RawEntry = [id: string, fields: string[]];

/**
 * XREAD's reply as entries. RESP2 answers `[[key, entries], …]`; RESP3 (ioredis 6's default) answers a
 * map, which arrives flattened as `[key, entries, …]`; no entries is null either way.
 */
function parseReply(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  const lists: RawEntry[][] =
    typeof reply[0] === 'string'
      ? reply.filter((_, i) => i % 2 === 1)
      : (reply as [string, RawEntry[]][]).map((stream) => stream[1]);
  const entries: StreamEntry[] = [];
  for (const [id, fields] of lists.flat()) {
    const at = fields.indexOf('event');
    const raw = at >= 0 ? fields[at + 1] : undefined;
    if (raw !== undefined) entries.push({ id, event: JSON.parse(raw) as StreamEvent });
  }
  return entries;
}
