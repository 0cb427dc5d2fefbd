import { contextOverflow, type ErrorAnswer, type ErrorDetails, type ErrorKind } from './errorKinds.js';

interface OpenAiErrorFields {
  status: number;
  message: string;
  type: string;
  code: string | null;
  param?: string | null;
  headers?: Record<string, string>;
}

/** Renders an error exactly as the OpenAI API does: {"error": {message, type, param, code}}. */
export function openaiError(kind: ErrorKind, d: ErrorDetails): ErrorAnswer {
  const f = fields(kind, d);
  return {
    status: f.status,
    headers: f.headers ?? {},
    body: { error: { message: f.message, type: f.type, param: f.param ?? d.param ?? null, code: f.code } },
  };
}

function fields(kind: ErrorKind, d: ErrorDetails): OpenAiErrorFields {
  const model = d.model ?? 'the model';
  switch (kind) {
    case 'rate_limit':
      return {
        status: 429,
        type: 'rate_limit_exceeded',
        code: 'rate_limit_exceeded',
        message:
          d.message ??
          `Rate limit reached for ${model} on requests per min (RPM): Limit 500, Used 500, Requested 1. ` +
            `Please try again in ${d.retryAfterSeconds ?? 1}s.`,
        headers: rateLimitHeaders(d.retryAfterSeconds),
      };
    case 'quota':
      return {
        status: 429,
        type: 'insufficient_quota',
        code: 'insufficient_quota',
        message:
          d.message ??
          'You exceeded your current quota, please check your plan and billing details. ' +
            'For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
      };
    case 'server_error':
      return {
        status: 500,
        type: 'server_error',
        code: 'server_error',
        message: d.message ?? 'The server had an error while processing your request. Sorry about that!',
      };
    case 'unavailable':
      return {
        status: 503,
        type: 'server_error',
        code: 'service_unavailable',
        message: d.message ?? 'The server is overloaded or not ready yet.',
        headers: retryHeader(d.retryAfterSeconds),
      };
    case 'overloaded':
      return {
        status: 529,
        type: 'server_error',
        code: 'overloaded',
        message: d.message ?? 'The engine is currently overloaded, please try again later.',
        headers: retryHeader(d.retryAfterSeconds),
      };
    case 'auth_missing':
      return {
        status: 401,
        type: 'invalid_request_error',
        code: 'invalid_api_key',
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header " +
          'using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).',
      };
    case 'auth_invalid':
      return {
        status: 401,
        type: 'invalid_request_error',
        code: 'invalid_api_key',
        message:
          d.message ??
          'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
      };
    case 'bad_request':
      return {
        status: 400,
        type: 'invalid_request_error',
        code: d.code ?? null,
        message: d.message ?? 'Invalid request.',
      };
    case 'content_policy':
      return {
        status: 400,
        type: 'invalid_request_error',
        code: 'content_policy_violation',
        message: d.message ?? 'Your request was rejected as a result of our safety system.',
      };
    case 'context_length': {
      const { window, tokens } = contextOverflow(d);
      return {
        status: 400,
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
        param: 'messages',
        message:
          `This model's maximum context length is ${window} tokens. However, your messages resulted in ` +
          `${tokens} tokens. Please reduce the length of the messages.`,
      };
    }
    case 'model_not_found':
      return {
        status: 404,
        type: 'invalid_request_error',
        code: 'model_not_found',
        message: `The model \`${model}\` does not exist or you do not have access to it.`,
      };
    case 'timeout':
      return {
        status: 504,
        type: 'server_error',
        code: 'timeout',
        message: d.message ?? 'Request timed out.',
      };
    case 'not_found':
      return { status: 404, type: 'invalid_request_error', code: null, message: d.message ?? 'Not found.' };
    case 'other': {
      const status = d.status ?? 500;
      return {
        status,
        type: status >= 500 ? 'server_error' : 'invalid_request_error',
        code: null,
        message: d.message ?? `Emulated error with status ${status}.`,
        headers: retryHeader(d.retryAfterSeconds),
      };
    }
  }
}

function retryHeader(seconds: number | undefined): Record<string, string> {
  return seconds === undefined ? {} : { 'retry-after': String(seconds) };
}

/** The x-ratelimit-* family OpenAI sends, reporting the request budget as exhausted. */
function rateLimitHeaders(seconds: number | undefined): Record<string, string> {
  const reset = `${seconds ?? 1}s`;
  return {
    ...retryHeader(seconds),
    'x-ratelimit-limit-requests': '500',
    'x-ratelimit-remaining-requests': '0',
    'x-ratelimit-reset-requests': reset,
    'x-ratelimit-limit-tokens': '30000',
    'x-ratelimit-remaining-tokens': '29000',
    'x-ratelimit-reset-tokens': reset,
  };
}
