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
  /**
   * Who asks: one provider call across its retries (see `slotRequest`). With it, a call that must
   * wait gets a place in a queue: callers after it wait behind it, and once its slot has come it
   * takes from the bucket ahead of them. A burst then goes through in order, each call refused about
   * once, instead of every waiter racing for each token as it refills and using up its retry
   * attempts. Every granted call still takes from the bucket itself, so calls never come faster
   * than the bucket allows, however late a holder comes back. Without a holder, nothing is queued.
   */
  holder?: string;
  /** The longest wait worth a slot (the call's remaining time); a longer wait reserves nothing. */
  maxWaitMs?: number;
}

export type RateLimitDecision =
  | { granted: true }
  | {
      granted: false;
      /** Milliseconds until every bucket this call needs holds enough (or until its slot). */
      waitMs: number;
      /** The bucket that was short, e.g. `model:gpt-4o:tokens`; `reserved slot` while a holder waits. */
      limit: string;
      /** The holder has a place in the queue: asking again after the wait takes its slot. */
      reserved: boolean;
    };

export interface RateLimiter {
  /** Takes from every bucket the call needs, all or nothing. Never waits. */
  tryAcquire(request: AcquireRequest): Promise<RateLimitDecision>;
}

/** The limit named while a holder waits for the slot it was given. */
export const RESERVED_SLOT = 'reserved slot';

/** How long after its slot came a holder that never asked again (cancelled, timed out) keeps its place. */
export const SLOT_KEEP_MS = 60_000;

/**
 * The holder fields for a call made by an activity (`Context.current().info`): its workflow run and
 * activity id name it across retries, and a slot is worth reserving only within its
 * schedule-to-close time (a later slot would be wasted: Temporal would not retry that late).
 */
export function slotRequest(
  info: {
    workflowExecution?: { workflowId: string; runId: string } | undefined;
    activityId: string;
    scheduledTimestampMs: number;
    scheduleToCloseTimeoutMs: number;
  },
  now: number = Date.now(),
): Pick<AcquireRequest, 'holder' | 'maxWaitMs'> {
  const run = info.workflowExecution;
  if (!run) return {};
  const holder = `${run.workflowId}/${run.runId}/${info.activityId}`;
  if (!(info.scheduleToCloseTimeoutMs > 0)) return { holder };
  return { holder, maxWaitMs: Math.max(0, info.scheduledTimestampMs + info.scheduleToCloseTimeoutMs - now) };
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
