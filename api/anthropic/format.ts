// Our results and failures in Anthropic's wire format: Message objects with text and tool_use blocks,
// stop reasons and usage, and `{ type: 'error', error: { type, message } }` bodies with Anthropic's
// status codes (an overloaded provider is 529).
import type { LlmResult } from '../../common/request.js';
import type { ApiErrorBody } from '../errors.js';
import { answerText } from '../openai/format.js';

export function stopReason(result: LlmResult): string {
  const reason = result.finishReason ?? (result.toolCalls?.length ? 'tool_calls' : 'stop');
  if (reason === 'tool_calls') return 'tool_use';
  if (reason === 'length') return 'max_tokens';
  if (reason === 'content_filter') return 'refusal';
  return 'end_turn';
}

export function usage(result: LlmResult): Record<string, number> {
  return {
    input_tokens: result.usage.inputTokens,
    output_tokens: result.usage.outputTokens,
    cache_read_input_tokens: result.usage.cachedInputTokens ?? 0,
    cache_creation_input_tokens: 0,
  };
}

export function contentBlocks(result: LlmResult): Record<string, unknown>[] {
  const text = answerText(result);
  const calls = result.toolCalls ?? [];
  return [
    ...(text !== '' || calls.length === 0 ? [{ type: 'text', text }] : []),
    ...calls.map((call) => ({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments })),
  ];
}

export function message(id: string, result: LlmResult): Record<string, unknown> {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: result.model,
    content: contentBlocks(result),
    stop_reason: stopReason(result),
    stop_sequence: null,
    usage: usage(result),
  };
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'invalid_request_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

/** Anthropic's status for ours: an overloaded provider is 529, as Anthropic says it. */
export function anthropicStatus(status: number, error: ApiErrorBody): number {
  return error.type === 'ProviderOverloadedError' ? 529 : status;
}

export function anthropicError(status: number, error: ApiErrorBody): Record<string, unknown> {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { type: 'error', error: { type, message: error.message } };
}
