import { contextOverflow, type ErrorAnswer, type ErrorDetails, type ErrorKind } from './errorKinds.js';

/** Renders an error exactly as the Anthropic API does: {"type": "error", "error": {type, message}}. */
export function anthropicError(kind: ErrorKind, d: ErrorDetails): ErrorAnswer {
  const [status, type, message, headers] = fields(kind, d);
  return { status, headers: headers ?? {}, body: { type: 'error', error: { type, message } } };
}

type Fields = [status: number, type: string, message: string, headers?: Record<string, string>];

function fields(kind: ErrorKind, d: ErrorDetails): Fields {
  switch (kind) {
    case 'rate_limit':
      return [
        429,
        'rate_limit_error',
        d.message ??
          'This request would exceed the rate limit for your organization of 50 requests per minute. ' +
            'For details, refer to: https://docs.claude.com/en/api/rate-limits.',
        rateLimitHeaders(d.retryAfterSeconds),
      ];
    case 'quota':
      return [
        400,
        'invalid_request_error',
        'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
      ];
    case 'server_error':
      return [500, 'api_error', d.message ?? 'Internal server error'];
    case 'unavailable':
      return [503, 'api_error', d.message ?? 'Service unavailable', retryHeader(d.retryAfterSeconds)];
    case 'overloaded':
      return [529, 'overloaded_error', d.message ?? 'Overloaded', retryHeader(d.retryAfterSeconds)];
    case 'auth_missing':
      return [401, 'authentication_error', 'x-api-key header is required'];
    case 'auth_invalid':
      return [401, 'authentication_error', d.message ?? 'invalid x-api-key'];
    case 'bad_request':
      return [400, 'invalid_request_error', d.message ?? 'Invalid request.'];
    case 'content_policy':
      return [400, 'invalid_request_error', d.message ?? 'Output blocked by content filtering policy'];
    case 'context_length': {
      const { window, tokens } = contextOverflow(d);
      return [400, 'invalid_request_error', `prompt is too long: ${tokens} tokens > ${window} maximum`];
    }
    case 'model_not_found':
      return [404, 'not_found_error', `model: ${d.model ?? ''}`];
    case 'timeout':
      return [504, 'timeout_error', d.message ?? 'Request timed out'];
    case 'not_found':
      return [404, 'not_found_error', d.message ?? 'Not found'];
    case 'other': {
      const status = d.status ?? 500;
      const type = status >= 500 ? 'api_error' : 'invalid_request_error';
      return [
        status,
        type,
        d.message ?? `Emulated error with status ${status}.`,
        retryHeader(d.retryAfterSeconds),
      ];
    }
  }
}

function retryHeader(seconds: number | undefined): Record<string, string> {
  return seconds === undefined ? {} : { 'retry-after': String(seconds) };
}

/** The anthropic-ratelimit-* family, reporting the request budget as exhausted. */
function rateLimitHeaders(seconds: number | undefined): Record<string, string> {
  const reset = new Date(Date.now() + (seconds ?? 1) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    ...retryHeader(seconds),
    'anthropic-ratelimit-requests-limit': '50',
    'anthropic-ratelimit-requests-remaining': '0',
    'anthropic-ratelimit-requests-reset': reset,
    'anthropic-ratelimit-tokens-limit': '40000',
    'anthropic-ratelimit-tokens-remaining': '39000',
    'anthropic-ratelimit-tokens-reset': reset,
  };
}
