// Our requests and results as OpenAI Response objects: `resp_…` ids (the workflow id), `message`
// items with `output_text` parts and `function_call` items with their `call_id`, usage in input,
// output and total tokens, and the request's own settings echoed back as OpenAI does.
import type { LlmRequest, LlmResult, ToolCall } from '../../common/request.js';
import type { ApiErrorBody } from '../errors.js';
import { answerText } from '../openai/format.js';
import { echoOf } from './request.js';

export type ResponseStatus = 'completed' | 'in_progress' | 'failed' | 'cancelled' | 'incomplete';

export interface ResponseView {
  id: string;
  createdAt: number;
  request: LlmRequest;
  status: ResponseStatus;
  result?: LlmResult;
  error?: ApiErrorBody;
}

type Item = Record<string, unknown>;

/** Item ids follow from the response id, so the same response reads the same on every GET. */
function itemCore(responseId: string): string {
  return responseId.replace(/^resp_/, '');
}

export function messageItemId(responseId: string): string {
  return `msg_${itemCore(responseId)}`;
}

export function functionCallItemId(responseId: string, index: number): string {
  return `fc_${itemCore(responseId)}_${index}`;
}

export function outputTextPart(text: string): Item {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function messageItem(responseId: string, text: string | undefined, done: boolean): Item {
  return {
    type: 'message',
    id: messageItemId(responseId),
    status: done ? 'completed' : 'in_progress',
    role: 'assistant',
    content: text === undefined ? [] : [outputTextPart(text)],
  };
}

export function functionCallItem(responseId: string, index: number, call: ToolCall, done: boolean): Item {
  return {
    type: 'function_call',
    id: functionCallItemId(responseId, index),
    call_id: call.id,
    name: call.name,
    arguments: done ? call.rawArguments : '',
    status: done ? 'completed' : 'in_progress',
  };
}

/** The answer's items: its text as a message (unless it is only tool calls), then each call. */
export function outputItems(responseId: string, result: LlmResult): Item[] {
  const text = answerText(result);
  const calls = result.toolCalls ?? [];
  return [
    ...(text !== '' || calls.length === 0 ? [messageItem(responseId, text, true)] : []),
    ...calls.map((call, i) => functionCallItem(responseId, i, call, true)),
  ];
}

function usage(result: LlmResult): Item {
  return {
    input_tokens: result.usage.inputTokens,
    input_tokens_details: { cached_tokens: result.usage.cachedInputTokens ?? 0 },
    output_tokens: result.usage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: result.usage.totalTokens,
  };
}

function textFormat(request: LlmRequest): Item {
  if (request.schema) return { type: 'json_schema', name: 'output', schema: request.schema, strict: false };
  return { type: request.outputFormat === 'json' ? 'json_object' : 'text' };
}

function toolChoice(request: LlmRequest): unknown {
  const choice = request.toolChoice ?? 'auto';
  return typeof choice === 'string' ? choice : { type: 'function', name: choice.name };
}

export function responseObject(view: ResponseView): Item {
  const { request, result } = view;
  const echo = echoOf(request);
  const incomplete = view.status === 'completed' && result?.finishReason === 'length';
  return {
    id: view.id,
    object: 'response',
    created_at: view.createdAt,
    status: incomplete ? 'incomplete' : view.status,
    error: view.error ? { code: view.error.type, message: view.error.message } : null,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: echo.instructions ?? null,
    max_output_tokens: request.params?.maxOutputTokens ?? null,
    model: result?.model ?? request.model ?? request.taskType,
    output: result ? outputItems(view.id, result) : [],
    parallel_tool_calls: request.parallelToolCalls ?? true,
    previous_response_id: echo.previousResponseId ?? null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: request.params?.temperature ?? 1,
    text: { format: textFormat(request) },
    tool_choice: toolChoice(request),
    tools: (request.tools ?? []).map((t) => ({
      type: 'function',
      name: t.name,
      description: t.description ?? null,
      parameters: t.parameters,
      strict: t.strict ?? false,
    })),
    top_p: request.params?.topP ?? 1,
    truncation: 'disabled',
    usage: result ? usage(result) : null,
    metadata: {},
  };
}
