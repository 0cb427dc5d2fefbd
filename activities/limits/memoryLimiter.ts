// Token buckets in this process, for a single worker without Redis. Same answers as the Redis
// limiter; the check and the take run in one synchronous section, so concurrent calls cannot both
// take the last token.
import {
  type AcquireRequest,
  bucketsFor,
  type RateLimitConfig,
  type RateLimitDecision,
  type RateLimiter,
} from './types.js';

interface Bucket {
  level: number;
  at: number;
}

export class InProcessRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly config: RateLimitConfig,
    private readonly now: () => number = () => performance.timeOrigin + performance.now(),
  ) {}

  async tryAcquire(request: AcquireRequest): Promise<RateLimitDecision> {
    const takes = bucketsFor(this.config, request);
    const now = this.now();
    const levels: number[] = [];
    let wait = 0;
    let short = '';
    for (const take of takes) {
      const bucket = this.buckets.get(take.id);
      const level = bucket
        ? Math.min(take.capacity, bucket.level + Math.max(0, now - bucket.at) * take.refillPerMs)
        : take.capacity;
      levels.push(level);
      if (level < take.cost) {
        const needed = Math.ceil((take.cost - level) / take.refillPerMs);
        if (needed > wait) [wait, short] = [needed, take.id];
      }
    }
    if (wait > 0) return { granted: false, waitMs: wait, limit: short };
    takes.forEach((take, i) => {
      this.buckets.set(take.id, { level: (levels[i] ?? take.capacity) - take.cost, at: now });
    });
    return { granted: true };
  }
}
