// Our results and failures in OpenAI's wire format: chat.completion objects (tool calls included),
// chat.completion.chunk stream events, and `{ error: { message, type, param, code } }` bodies whose
// `code` is our failure type.
import type { LlmResult, ToolCall } from '../../common/request.js';
import type { ApiErrorBody } from '../errors.js';

export interface CompletionMeta {
  /** Our request id: `GET /v1/requests/{id}` shows the same request. */
  id: string;
  created: number;
  model: string;
}

/** The answer's text as a chat client expects it: JSON output re-serialized after validation. */
export function answerText(result: LlmResult): string {
  if (typeof result.output === 'string') return result.text;
  // A tool-calls-only answer has no output to serialize.
  return result.output === null && result.toolCalls?.length ? '' : JSON.stringify(result.output);
}

/** Why the answer ended, as OpenAI says it; an answer with tool calls ends for them. */
export function finishReason(result: LlmResult): string {
  if (result.finishReason) return result.finishReason;
  return result.toolCalls?.length ? 'tool_calls' : 'stop';
}

export function wireToolCalls(calls: readonly ToolCall[]): Record<string, unknown>[] {
  return calls.map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.rawArguments },
  }));
}

function message(result: LlmResult): Record<string, unknown> {
  const text = answerText(result);
  const calls = result.toolCalls ?? [];
  return {
    role: 'assistant',
    // OpenAI sends null, not "", when the answer is only tool calls.
    content: text === '' && calls.length ? null : text,
    refusal: null,
    ...(calls.length ? { tool_calls: wireToolCalls(calls) } : {}),
  };
}

function usage(result: LlmResult): Record<string, number> {
  return {
    prompt_tokens: result.usage.inputTokens,
    completion_tokens: result.usage.outputTokens,
    total_tokens: result.usage.totalTokens,
  };
}

export function completion(meta: CompletionMeta, result: LlmResult): Record<string, unknown> {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: result.model,
    choices: [
      {
        index: 0,
        message: message(result),
        logprobs: null,
        finish_reason: finishReason(result),
      },
    ],
    usage: usage(result),
    system_fingerprint: null,
  };
}

export function chunk(
  meta: CompletionMeta,
  delta: Record<string, unknown>,
  finishReason: string | null = null,
): Record<string, unknown> {
  return {
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

/** The chunk `stream_options.include_usage` asks for: no choices, the usage. */
export function usageChunk(meta: CompletionMeta, result: LlmResult): Record<string, unknown> {
  return {
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: result.model,
    choices: [],
    usage: usage(result),
  };
}

const OPENAI_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  429: 'rate_limit_error',
};

/** An error body the official clients parse: `type` is OpenAI's category, `code` our failure type. */
export function openAiError(status: number, error: ApiErrorBody, param: string | null = null): unknown {
  return {
    error: {
      message: error.message,
      type: OPENAI_TYPES[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error'),
      param,
      code: error.type,
    },
  };
}
