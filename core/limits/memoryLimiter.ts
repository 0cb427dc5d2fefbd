// Token buckets in this process, for a single worker without Redis. Same answers as the Redis
// limiter, holders' slots included; the check and the take run in one synchronous section, so
// concurrent calls cannot both take the last token.
import { LRUCache } from 'lru-cache';
import {
  type AcquireRequest,
  bucketsFor,
  type RateLimitConfig,
  type RateLimitDecision,
  type RateLimiter,
  RESERVED_SLOT,
  SLOT_KEEP_MS,
} from './types.js';

interface Bucket {
  level: number;
  at: number;
  /** When the next free slot comes: holders already given one go first. */
  next: number;
}

export class InProcessRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  /** When each holder's slot comes. */
  private readonly slots = new LRUCache<string, number>({ max: 100_000 });

  constructor(
    private readonly config: RateLimitConfig,
    private readonly now: () => number = () => performance.timeOrigin + performance.now(),
  ) {}

  async tryAcquire(request: AcquireRequest): Promise<RateLimitDecision> {
    const takes = bucketsFor(this.config, request);
    if (takes.length === 0) return { granted: true };
    const now = this.now();
    const holder = request.holder;
    const slot = holder === undefined ? undefined : this.slots.get(holder);
    if (slot !== undefined && slot > now) {
      return { granted: false, waitMs: Math.ceil(slot - now), limit: RESERVED_SLOT, reserved: true };
    }
    let ready = true;
    let back = now;
    let short = '';
    const buckets = takes.map((take) => {
      const bucket = this.buckets.get(take.id);
      const level = bucket
        ? Math.min(take.capacity, bucket.level + Math.max(0, now - bucket.at) * take.refillPerMs)
        : take.capacity;
      const next = bucket?.next ?? 0;
      // A holder whose slot has come only needs the tokens; anyone else also waits for the slots ahead.
      if (level < take.cost || (slot === undefined && next > now)) ready = false;
      const free = Math.max(next, now + Math.max(0, take.cost - level) / take.refillPerMs);
      if (free > back) [back, short] = [free, take.id];
      return { level, at: now, next };
    });
    const save = (): void => {
      takes.forEach((take, i) => {
        this.buckets.set(take.id, buckets[i] as Bucket);
      });
    };

    if (ready) {
      takes.forEach((take, i) => {
        (buckets[i] as Bucket).level -= take.cost;
      });
      save();
      if (holder !== undefined) this.slots.delete(holder);
      return { granted: true };
    }
    const wait = Math.max(1, Math.ceil(back - now));
    if (holder !== undefined && wait <= (request.maxWaitMs ?? Number.POSITIVE_INFINITY)) {
      // The slot at the back of the queue: a new holder's, or a late holder's whose tokens went to others.
      takes.forEach((take, i) => {
        (buckets[i] as Bucket).next = back + take.cost / take.refillPerMs;
      });
      save();
      this.slots.set(holder, back, { ttl: wait + SLOT_KEEP_MS });
      return { granted: false, waitMs: wait, limit: short, reserved: true };
    }
    if (holder !== undefined) this.slots.delete(holder);
    return { granted: false, waitMs: wait, limit: short, reserved: false };
  }
}
