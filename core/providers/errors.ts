// Turns what a provider's HTTP API answered into our typed errors. Both official SDKs raise errors
// with `status`, `headers` and the parsed body; each adapter only says what its provider's codes mean.
import {
  AuthenticationError,
  BadRequestError,
  ContentPolicyError,
  ContextLengthExceededError,
  type ErrorDetails,
  ModelNotFoundError,
  type OrchestratorError,
  PermissionDeniedError,
  ProviderOverloadedError,
  ProviderServerError,
  ProviderTimeoutError,
  ProviderUnreachableError,
  QuotaExceededError,
  RateLimitError,
} from '../../common/errors.js';
import type { EndpointHints } from './types.js';

/** The provider-specific reading of an error response, made by each adapter. */
export type ProviderErrorKind =
  | 'rate_limit'
  | 'quota'
  | 'overloaded'
  | 'server'
  | 'auth'
  | 'permission'
  | 'context_length'
  | 'content_policy'
  | 'not_found'
  | 'bad_request';

/** Milliseconds the provider asked us to wait, from `retry-after-ms` or `retry-after` (seconds or HTTP date). */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return Math.ceil(ms);
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

const advice: Record<ProviderErrorKind, (hints: EndpointHints) => string> = {
  rate_limit: () => 'retrying after the delay the provider asked for',
  quota: () => 'the account is out of credit or quota: top it up or route to another provider',
  overloaded: () => 'the provider is overloaded; retrying with back-off',
  server: () => 'the provider failed; retrying with back-off',
  auth: (hints) => `check the API key in the environment (${hints.keyVariable})`,
  permission: () => 'the API key may not use this model or endpoint',
  context_length: () => 'shorten the prompt or route to a model with a larger context window',
  content_policy: () => 'the provider refused the content; rephrase the request',
  not_found: () => 'check the model name in config/models.yaml',
  bad_request: () => 'the provider rejected the request as invalid',
};

export function providerError(
  kind: ProviderErrorKind,
  providerMessage: string,
  details: ErrorDetails,
  hints: EndpointHints,
  cause?: Error,
): OrchestratorError {
  const message =
    `${details.provider ?? 'provider'} ${details.model ?? ''} answered ${details.status ?? ''}: ${providerMessage} — ${advice[kind](hints)}`
      .replace(/\s+/g, ' ')
      .trim();
  const options = { details, ...(cause ? { cause } : {}) };
  switch (kind) {
    case 'rate_limit':
      return new RateLimitError(message, options);
    case 'quota':
      return new QuotaExceededError(message, options);
    case 'overloaded':
      return new ProviderOverloadedError(message, options);
    case 'server':
      return new ProviderServerError(message, options);
    case 'auth':
      return new AuthenticationError(message, options);
    case 'permission':
      return new PermissionDeniedError(message, options);
    case 'context_length':
      return new ContextLengthExceededError(message, options);
    case 'content_policy':
      return new ContentPolicyError(message, options);
    case 'not_found':
      return new ModelNotFoundError(message, options);
    case 'bad_request':
      return new BadRequestError(message, options);
  }
}

/** Errors raised before any HTTP status arrived: connection refused, timeouts. */
export function transportError(
  kind: 'timeout' | 'unreachable',
  details: ErrorDetails,
  hints: EndpointHints,
  cause: Error,
): OrchestratorError {
  const where = `${details.provider} ${details.model}`;
  if (kind === 'timeout') {
    return new ProviderTimeoutError(`${where}: no answer before the timeout — retrying`, { details, cause });
  }
  const reason = cause.cause instanceof Error ? cause.cause.message : cause.message;
  return new ProviderUnreachableError(
    `${where}: cannot reach the provider (${reason}) — check ${hints.baseURLSource} and the network`,
    { details, cause },
  );
}

function isCutConnection(error: unknown): boolean {
  return error instanceof TypeError && error.message === 'terminated';
}

/** The error classes both official SDKs export (they are generated from the same template). */
export interface SdkErrorClasses {
  APIError: abstract new (...args: never[]) => SdkApiError;
  APIUserAbortError: abstract new (...args: never[]) => Error;
  APIConnectionError: abstract new (...args: never[]) => Error;
  APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
}

export interface SdkApiError extends Error {
  status: number | undefined;
  headers: Headers | undefined;
  requestID?: string | null | undefined;
}

/** What an adapter reads from its provider's error response. */
export interface ProviderErrorReading {
  kind: ProviderErrorKind;
  message: string;
  code?: string;
}

/**
 * Translates an SDK error into ours: transport failures, then HTTP errors read by the adapter's
 * `read`. A user abort (Temporal cancelled the activity) and unknown errors pass through unchanged.
 */
export function fromSdkError<E extends SdkApiError>(
  error: unknown,
  details: ErrorDetails,
  sdk: SdkErrorClasses,
  read: (error: E) => ProviderErrorReading,
  hints: EndpointHints,
): unknown {
  if (error instanceof sdk.APIUserAbortError) return error;
  if (error instanceof sdk.APIConnectionTimeoutError) return transportError('timeout', details, hints, error);
  if (error instanceof sdk.APIConnectionError) return transportError('unreachable', details, hints, error);
  // undici reports a connection cut mid-stream as a bare TypeError('terminated'); Anthropic's
  // MessageStream wraps it in its own error with the TypeError as the cause.
  if (isCutConnection(error) || isCutConnection((error as { cause?: unknown } | null)?.cause))
    return transportError('unreachable', details, hints, error as Error);
  if (!(error instanceof sdk.APIError) || error.status === undefined) return error;
  const reading = read(error as E);
  const full: ErrorDetails = {
    ...details,
    status: error.status,
    ...(reading.code ? { providerCode: reading.code } : {}),
    ...(error.requestID ? { providerRequestId: error.requestID } : {}),
  };
  const wait = retryAfterMs(error.headers);
  if (wait !== undefined) full.retryAfterMs = wait;
  return providerError(reading.kind, reading.message, full, hints, error);
}
