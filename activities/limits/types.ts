// Rate limits per provider and per model, in requests and tokens per minute, as token buckets. Every
// back-end (Redis, shared by all workers; in-process, for one worker) answers at once: granted, or how
// long to wait. Nobody sleeps in an activity slot; the wait happens in Temporal (retry delay or timer).

/** One provider's or model's limits. A missing number means that dimension is not limited. */
export interface RateLimitRule {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /**
   * How much may be taken at once after a quiet period, as a fraction of a minute's allowance
   * (default 1: a full minute's worth). Lower values smooth bursts.
   */
  burstFraction?: number;
}

export interface RateLimitConfig {
  providers: Record<string, RateLimitRule>;
  models: Record<string, RateLimitRule>;
}

export interface AcquireRequest {
  provider: string;
  model: string;
  /** Requests this call takes; 1 for one provider call. */
  requests?: number;
  /**
   * Tokens this call may use: prompt tokens plus the reserved output (providers count `max_tokens`
   * against the limit when the request arrives, so we do too).
   */
  tokens: number;
}

export type RateLimitDecision =
  | { granted: true }
  | {
      granted: false;
      /** Milliseconds until every bucket this call needs holds enough. */
      waitMs: number;
      /** The bucket that was short, e.g. `model:gpt-4o:tokens`. */
      limit: string;
    };

export interface RateLimiter {
  /** Takes from every bucket the call needs, all or nothing. Never waits. */
  tryAcquire(request: AcquireRequest): Promise<RateLimitDecision>;
}

/** One bucket a call takes from: its capacity, how fast it refills, and what this call takes. */
export interface BucketTake {
  id: string;
  capacity: number;
  /** Units added per millisecond. */
  refillPerMs: number;
  cost: number;
}

const MINUTE_MS = 60_000;

/** The buckets a call takes from under this config; none when nothing limits it. */
export function bucketsFor(config: RateLimitConfig, request: AcquireRequest): BucketTake[] {
  const takes: BucketTake[] = [];
  const add = (scope: string, rule: RateLimitRule | undefined): void => {
    if (!rule) return;
    const burst = rule.burstFraction ?? 1;
    const dimensions: [string, number | undefined, number][] = [
      ['requests', rule.requestsPerMinute, request.requests ?? 1],
      ['tokens', rule.tokensPerMinute, request.tokens],
    ];
    for (const [unit, perMinute, wanted] of dimensions) {
      if (perMinute === undefined || wanted <= 0) continue;
      const capacity = Math.max(1, perMinute * burst);
      // A call larger than the whole bucket could never fit: it waits for a full bucket instead.
      takes.push({
        id: `${scope}:${unit}`,
        capacity,
        refillPerMs: perMinute / MINUTE_MS,
        cost: Math.min(wanted, capacity),
      });
    }
  };
  add(`provider:${request.provider}`, config.providers[request.provider]);
  add(`model:${request.model}`, config.models[request.model]);
  return takes;
}
