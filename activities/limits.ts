// Rate limits as the provider call sees them. Two ways to wire it, both without sleeping in an
// activity slot:
// - `enforceRateLimit` at the top of invokeProvider: throws LocalRateLimitError (retryable) whose
//   retry delay is the wait, so Temporal schedules the retry.
// - the `acquireRateLimit` activity before invokeProvider: the workflow sleeps `waitMs` (a durable
//   timer) and asks again; waiting then uses none of the provider call's retry attempts.
// A limiter back-end that fails (Redis down) lets the call through: the provider's own limits still
// hold, and an outage of the limiter should not stop all traffic.
import type { ModelSpec } from '../common/catalog.js';
import { throwIfLimited } from '../core/limits/errors.js';
import type { AcquireRequest, RateLimitDecision, RateLimiter } from '../core/limits/types.js';

export interface RateLimitActivityDeps {
  rateLimiter: RateLimiter;
}

export interface RateLimitCall {
  model: Pick<ModelSpec, 'id' | 'provider'>;
  promptTokens: number;
  maxOutputTokens: number;
  /** The asking activity across its retries (`slotRequest`): a refusal then queues it for a slot. */
  holder?: string;
  /** The longest wait worth a slot: the activity's remaining schedule-to-close time. */
  maxWaitMs?: number;
}

function acquireRequest(call: RateLimitCall): AcquireRequest {
  return {
    provider: call.model.provider,
    model: call.model.id,
    requests: 1,
    tokens: call.promptTokens + call.maxOutputTokens,
    ...(call.holder !== undefined ? { holder: call.holder } : {}),
    ...(call.maxWaitMs !== undefined ? { maxWaitMs: call.maxWaitMs } : {}),
  };
}

async function decide(limiter: RateLimiter, request: AcquireRequest): Promise<RateLimitDecision> {
  try {
    return await limiter.tryAcquire(request);
  } catch {
    return { granted: true };
  }
}

/** For inside invokeProvider: returns when granted, else throws LocalRateLimitError with the wait. */
export async function enforceRateLimit(limiter: RateLimiter, call: RateLimitCall): Promise<void> {
  throwIfLimited(await decide(limiter, acquireRequest(call)), {
    provider: call.model.provider,
    model: call.model.id,
  });
}

export interface RateLimitActivities {
  acquireRateLimit(call: RateLimitCall): Promise<RateLimitDecision>;
}

export function createRateLimitActivities(deps: RateLimitActivityDeps): RateLimitActivities {
  return {
    acquireRateLimit: (call) => decide(deps.rateLimiter, acquireRequest(call)),
  };
}
