// Our own rate limit (not the provider's) said wait. The request's workflow waits it out on a durable
// timer (workflows/modelCall.ts lists it as non-retryable for the activity); elsewhere it is
// retryable with `nextRetryDelay` set to the wait. Either way no activity slot sleeps.
import {
  type ErrorDetails,
  hasFailureType,
  LOCAL_RATE_LIMIT_ERROR,
  OrchestratorError,
} from '../../common/errors.js';
import type { RateLimitDecision } from './types.js';

export class LocalRateLimitError extends OrchestratorError {
  static readonly type = LOCAL_RATE_LIMIT_ERROR;
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
