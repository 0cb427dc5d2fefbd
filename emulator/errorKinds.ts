import type { FaultKind } from './faults.js';

/** Provider-neutral failure; each dialect renders it in its provider's exact wire format. */
export type ErrorKind =
  | 'rate_limit'
  | 'quota'
  | 'server_error'
  | 'unavailable'
  | 'overloaded'
  | 'auth_missing'
  | 'auth_invalid'
  | 'bad_request'
  | 'content_policy'
  | 'context_length'
  | 'model_not_found'
  | 'timeout'
  | 'not_found'
  | 'other';

export interface ErrorDetails {
  message?: string;
  param?: string;
  /** OpenAI's error code for a bad request, when it sends one. */
  code?: string;
  retryAfterSeconds?: number;
  model?: string;
  promptTokens?: number;
  contextWindow?: number;
  /** HTTP status for kind 'other' (a scripted status without a named meaning). */
  status?: number;
}

export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export type ErrorDialect = (kind: ErrorKind, details: ErrorDetails) => ErrorAnswer;

/** Maps a scripted fault to the error it produces; undefined for faults that are behaviours, not errors. */
export function faultErrorKind(fault: FaultKind): ErrorKind | undefined {
  switch (fault) {
    case 'timeout':
    case 'malformed':
      return undefined;
    case 'quota':
    case 'content_policy':
    case 'context_length':
      return fault;
    case 429:
      return 'rate_limit';
    case 500:
      return 'server_error';
    case 503:
      return 'unavailable';
    case 529:
      return 'overloaded';
    case 401:
      return 'auth_invalid';
    case 400:
      return 'bad_request';
    case 404:
      return 'not_found';
    default:
      return 'other';
  }
}

/** Plausible numbers for a context-length error scripted without a real oversized prompt. */
export function contextOverflow(details: ErrorDetails): { window: number; tokens: number } {
  const window = details.contextWindow ?? 128_000;
  const tokens =
    details.promptTokens !== undefined && details.promptTokens > window ? details.promptTokens : window + 1;
  return { window, tokens };
}
