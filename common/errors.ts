// Every error the orchestrator raises is an ApplicationFailure subclass whose Temporal failure `type`
// is its class name. Retry policies name these types in `nonRetryableErrorTypes`; callers recover the
// type with the guards below, whether they hold the original error or a failure that crossed Temporal.
import { ApplicationFailure } from '@temporalio/common';

/** Facts a caller can act on; all optional because not every failure concerns a provider. */
export interface ErrorDetails {
  provider?: string;
  model?: string;
  /** HTTP status the provider answered, when there was one. */
  status?: number;
  /** The provider's own error code (e.g. `insufficient_quota`, `context_length_exceeded`). */
  providerCode?: string;
  /** How long the provider asked us to wait (from `retry-after`), in milliseconds. */
  retryAfterMs?: number;
  /** The provider's request id, for support tickets. */
  providerRequestId?: string;
  [key: string]: unknown;
}

export class OrchestratorError extends ApplicationFailure {
  constructor(
    type: string,
    message: string,
    options: { retryable: boolean; details?: ErrorDetails; cause?: Error } = { retryable: false },
  ) {
    const delay = options.details?.retryAfterMs;
    super(message, type, !options.retryable, [options.details ?? {}], options.cause, delay);
    // ApplicationFailure's `name` is read-only on its prototype; define ours on the instance.
    Object.defineProperty(this, 'name', {
      value: type,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }

  get errorDetails(): ErrorDetails {
    return (this.details?.[0] as ErrorDetails | undefined) ?? {};
  }
}

type Options = { details?: ErrorDetails; cause?: Error };

function defineError(type: string, retryable: boolean) {
  return class extends OrchestratorError {
    static readonly type = type;
    constructor(message: string, options: Options = {}) {
      super(type, message, { retryable, ...options });
    }
  };
}

// --- bad input: the caller must change the request ---------------------------------------------
export class InvalidRequestError extends defineError('InvalidRequestError', false) {}
export class UnknownModelError extends defineError('UnknownModelError', false) {}
export class InvalidSchemaError extends defineError('InvalidSchemaError', false) {}
export class TemplateNotFoundError extends defineError('TemplateNotFoundError', false) {}
export class MissingVariablesError extends defineError('MissingVariablesError', false) {}
export class TemplateRenderError extends defineError('TemplateRenderError', false) {}
export class ConfigError extends defineError('ConfigError', false) {}

// --- provider failures that are worth retrying on the same model --------------------------------
export class RateLimitError extends defineError('RateLimitError', true) {}
export class ProviderOverloadedError extends defineError('ProviderOverloadedError', true) {}
export class ProviderServerError extends defineError('ProviderServerError', true) {}
export class ProviderTimeoutError extends defineError('ProviderTimeoutError', true) {}
export class ProviderUnreachableError extends defineError('ProviderUnreachableError', true) {}

// --- provider failures that will not get better by retrying: move to the next model ------------
export class AuthenticationError extends defineError('AuthenticationError', false) {}
export class PermissionDeniedError extends defineError('PermissionDeniedError', false) {}
export class BadRequestError extends defineError('BadRequestError', false) {}
export class ContextLengthExceededError extends defineError('ContextLengthExceededError', false) {}
export class ContentPolicyError extends defineError('ContentPolicyError', false) {}
export class QuotaExceededError extends defineError('QuotaExceededError', false) {}
export class ModelNotFoundError extends defineError('ModelNotFoundError', false) {}
/** The model's circuit opened while this request was retrying it: stop hammering it, fall back. */
export class CircuitOpenError extends defineError('CircuitOpenError', false) {}

// --- the answer came back but is not what was asked for -----------------------------------------
export class InvalidResponseError extends defineError('InvalidResponseError', false) {}

// --- the request as a whole ----------------------------------------------------------------------
export class MaxRetriesExceededError extends defineError('MaxRetriesExceededError', false) {}
export class AllModelsFailedError extends defineError('AllModelsFailedError', false) {}
export class BudgetExceededError extends defineError('BudgetExceededError', false) {}
/** A batch item came back without an answer (refused, expired, cancelled); the request falls back. */
export class BatchItemFailedError extends defineError('BatchItemFailedError', false) {}

/** Provider error types a retry policy must not retry: the next model is tried instead. */
/** Our own rate limit said wait (core/limits/errors.ts); the workflow waits on a timer. */
export const LOCAL_RATE_LIMIT_ERROR = 'LocalRateLimitError';

export const NON_RETRYABLE_PROVIDER_ERRORS: readonly string[] = [
  AuthenticationError.type,
  PermissionDeniedError.type,
  BadRequestError.type,
  ContextLengthExceededError.type,
  ContentPolicyError.type,
  QuotaExceededError.type,
  ModelNotFoundError.type,
  CircuitOpenError.type,
  InvalidRequestError.type,
  UnknownModelError.type,
  InvalidSchemaError.type,
];

/** The failure type of an error, looking through Temporal's wrappers (ActivityFailure, ChildWorkflowFailure, WorkflowFailedError). */
export function failureType(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 10; depth++) {
    if (current instanceof ApplicationFailure && current.type) return current.type;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The innermost ApplicationFailure, whose message and details describe what went wrong. */
export function rootFailure(error: unknown): ApplicationFailure | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 10; depth++) {
    if (current instanceof ApplicationFailure && current.type) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const hasFailureType = (error: unknown, type: string): boolean => failureType(error) === type;
export const isRateLimitError = (e: unknown): boolean => hasFailureType(e, RateLimitError.type);
export const isMissingVariablesError = (e: unknown): boolean => hasFailureType(e, MissingVariablesError.type);
export const isTemplateNotFoundError = (e: unknown): boolean => hasFailureType(e, TemplateNotFoundError.type);
export const isAllModelsFailedError = (e: unknown): boolean => hasFailureType(e, AllModelsFailedError.type);
export const isBudgetExceededError = (e: unknown): boolean => hasFailureType(e, BudgetExceededError.type);
