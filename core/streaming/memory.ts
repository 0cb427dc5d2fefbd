// Request streams kept in this process's memory, for running without Redis. Same interface and entry
// ids as the Redis store, but the publisher (the worker) and the readers (client, HTTP API) must live in
// the same process: with several processes, or after a restart, readers see nothing — use Redis then.
import {
  compareEntryIds,
  type StreamEntry,
  type StreamEvent,
  type StreamReadOptions,
  type StreamStore,
} from './types.js';

export interface InProcessStreamOptions {
  /** Entries kept per request; the oldest go first. */
  maxLength?: number;
  /** Milliseconds a stream lives after its last event. */
  ttlMs?: number;
}

interface Stream {
  entries: StreamEntry[];
  expiry: NodeJS.Timeout;
  /** Readers blocked until the next entry. */
  waiters: Set<() => void>;
}

export class InProcessStreamStore implements StreamStore {
  private readonly streams = new Map<string, Stream>();
  private readonly maxLength: number;
  private readonly ttlMs: number;
  private lastMs = 0;
  private lastSeq = 0;

  constructor(options: InProcessStreamOptions = {}) {
    this.maxLength = options.maxLength ?? 10_000;
    this.ttlMs = options.ttlMs ?? 3_600_000;
  }

  async publish(requestId: string, event: StreamEvent): Promise<void> {
    const stream = this.streams.get(requestId) ?? this.create(requestId);
    stream.entries.push({ id: this.nextId(), event });
    if (stream.entries.length > this.maxLength)
      stream.entries.splice(0, stream.entries.length - this.maxLength);
    stream.expiry.refresh();
    for (const wake of stream.waiters) wake();
    stream.waiters.clear();
  }

  async read(requestId: string, afterId: string, options: StreamReadOptions = {}): Promise<StreamEntry[]> {
    const found = this.after(requestId, afterId, options.count);
    const blockMs = options.blockMs ?? 0;
    if (found.length > 0 || blockMs <= 0 || options.signal?.aborted) return found;
    await this.nextPublish(requestId, blockMs, options.signal);
    return this.after(requestId, afterId, options.count);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    for (const stream of this.streams.values()) {
      clearTimeout(stream.expiry);
      for (const wake of stream.waiters) wake();
    }
    this.streams.clear();
  }

  private after(requestId: string, afterId: string, count = Number.POSITIVE_INFINITY): StreamEntry[] {
    const entries = this.streams.get(requestId)?.entries ?? [];
    const found: StreamEntry[] = [];
    for (const entry of entries) {
      if (found.length >= count) break;
      if (compareEntryIds(entry.id, afterId) > 0) found.push(entry);
    }
    return found;
  }

  /** Resolves at the next event of this request, after `ms`, or on abort, whichever is first. */
  private nextPublish(requestId: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
    // A reader may wait before the first event: the stream exists (and expires) from then on.
    const stream = this.streams.get(requestId) ?? this.create(requestId);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        stream.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      stream.waiters.add(done);
    });
  }

  private create(requestId: string): Stream {
    const expiry = setTimeout(() => this.streams.delete(requestId), this.ttlMs);
    expiry.unref();
    const stream: Stream = { entries: [], expiry, waiters: new Set() };
    this.streams.set(requestId, stream);
    return stream;
  }

  /** Ids like Redis's: milliseconds, then a sequence within the millisecond; always increasing. */
  private nextId(): string {
    const now = Date.now();
    if (now > this.lastMs) {
      this.lastMs = now;
      this.lastSeq = 0;
    } else {
      this.lastSeq += 1;
    }
    return `${this.lastMs}-${this.lastSeq}`;
  }
}
