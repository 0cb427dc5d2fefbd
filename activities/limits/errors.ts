// Our own rate limit (not the provider's) said wait. Retryable: the activity fails with
// `nextRetryDelay` set to the wait, so Temporal holds the retry and no activity slot sleeps.
import { type ErrorDetails, hasFailureType, OrchestratorError } from '../../common/errors.js';
import type { RateLimitDecision } from './types.js';

export class LocalRateLimitError extends OrchestratorError {
  static readonly type = 'LocalRateLimitError';
  constructor(message: string, options: { details?: ErrorDetails } = {}) {
    super(LocalRateLimitError.type, message, { retryable: true, ...options });
  }
}

/** Throws LocalRateLimitError when the decision says wait; the failure's retry delay is the wait. */
export function throwIfLimited(
  decision: RateLimitDecision,
  where: { provider: string; model: string },
): void {
  if (decision.granted) return;
  const then = decision.reserved ? 'its slot comes' : 'retry';
  throw new LocalRateLimitError(
    `rate limit ${decision.limit} reached for ${where.model}; ${then} in ${decision.waitMs} ms (config/limits.yaml)`,
    {
      details: {
        ...where,
        limit: decision.limit,
        retryAfterMs: decision.waitMs,
        reserved: decision.reserved,
      },
    },
  );
}

/** Looks through Temporal's wrappers (ActivityFailure, ChildWorkflowFailure). */
export const isLocalRateLimitError = (error: unknown): boolean =>
  hasFailureType(error, LocalRateLimitError.type);
