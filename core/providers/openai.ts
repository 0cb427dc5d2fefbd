// OpenAI Chat Completions adapter, through the official `openai` client with its own retries off:
// Temporal does the retrying so every attempt is in history. The `openai-compatible` kind reuses it
// with the catalog entry's base URL, headers and query parameters (vLLM, Ollama, Azure, Groq, ...).
import OpenAI from 'openai';
import type { ProviderName } from '../../common/catalog.js';
import type { ErrorDetails } from '../../common/errors.js';
import type { TokenUsage } from '../../common/request.js';
import { fromSdkError, type ProviderErrorKind, type ProviderErrorReading } from './errors.js';
import {
  fromOpenAiToolCalls,
  OpenAiToolCallAssembler,
  openAiFinishReason,
  toOpenAiMessages,
  toOpenAiToolChoice,
  toOpenAiTools,
} from './openaiMessages.js';
import type { Endpoint, EndpointHints, Provider, ProviderRequest, ProviderResponse } from './types.js';

function classify(error: InstanceType<typeof OpenAI.APIError>): ProviderErrorKind {
  const code = error.code ?? error.type ?? '';
  if (code === 'insufficient_quota') return 'quota';
  if (error.status === 429) return 'rate_limit';
  if (code === 'context_length_exceeded') return 'context_length';
  if (code === 'content_policy_violation' || code === 'content_filter') return 'content_policy';
  if (error.status === 401) return 'auth';
  if (error.status === 403) return 'permission';
  if (error.status === 404) return 'not_found';
  if (error.status === 503 || error.status === 529) return 'overloaded';
  if ((error.status ?? 0) >= 500) return 'server';
  return 'bad_request';
}

export function readOpenAiError(error: InstanceType<typeof OpenAI.APIError>): ProviderErrorReading {
  const body = error.error as { message?: string } | undefined;
  return {
    kind: classify(error),
    message: body?.message ?? error.message,
    ...(error.code ? { code: error.code } : {}),
  };
}

/** The official client for an endpoint; the embedder builds its client the same way. */
export function openaiClient(endpoint: Endpoint, defaultTimeoutMs: number): OpenAI {
  return new OpenAI({
    apiKey: endpoint.apiKey,
    ...(endpoint.baseURL ? { baseURL: endpoint.baseURL } : {}),
    ...(endpoint.headers ? { defaultHeaders: endpoint.headers } : {}),
    ...(endpoint.queryParams ? { defaultQuery: endpoint.queryParams } : {}),
    maxRetries: 0,
    timeout: endpoint.timeoutMs ?? defaultTimeoutMs,
  });
}

/**
 * Our usage from OpenAI's: prompt_tokens already includes cached tokens (reads; OpenAI bills writes
 * as ordinary input and does not report them), completion_tokens includes reasoning tokens.
 */
export function openAiUsage(
  usage: OpenAI.CompletionUsage | undefined,
  serviceTier?: string | null,
): TokenUsage {
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  const reasoning = usage?.completion_tokens_details?.reasoning_tokens ?? 0;
  return {
    inputTokens: usage?.prompt_tokens ?? 0,
    outputTokens: usage?.completion_tokens ?? 0,
    totalTokens: usage?.total_tokens ?? 0,
    ...(cached ? { cachedInputTokens: cached } : {}),
    ...(reasoning ? { reasoningTokens: reasoning } : {}),
    // `default` (and `auto`) bill at the base rates; only another tier is worth carrying.
    ...(serviceTier && serviceTier !== 'default' && serviceTier !== 'auto' ? { serviceTier } : {}),
  };
}

/** The Chat Completions body for a request (also one line of a batch). */
export function chatCompletionBody(request: ProviderRequest): OpenAI.ChatCompletionCreateParamsNonStreaming {
  return {
    model: request.model.providerModel,
    messages: toOpenAiMessages(request.messages),
    max_completion_tokens: request.maxOutputTokens,
    ...(request.tools?.length ? { tools: toOpenAiTools(request.tools) } : {}),
    ...(request.tools?.length && request.toolChoice
      ? { tool_choice: toOpenAiToolChoice(request.toolChoice) }
      : {}),
    ...(request.tools?.length && request.parallelToolCalls !== undefined
      ? { parallel_tool_calls: request.parallelToolCalls }
      : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { top_p: request.topP } : {}),
    ...(request.stop?.length ? { stop: request.stop } : {}),
    ...(request.structuredOutput
      ? {
          response_format: {
            type: 'json_schema' as const,
            json_schema: { name: request.structuredOutput.name, schema: request.structuredOutput.schema },
          },
        }
      : {}),
  };
}

/** Our response from a chat completion (also a batch line's body). */
export function fromCompletion(completion: OpenAI.ChatCompletion): ProviderResponse {
  const choice = completion.choices[0];
  return {
    text: choice?.message.content ?? '',
    toolCalls: fromOpenAiToolCalls(choice?.message.tool_calls),
    usage: openAiUsage(completion.usage, completion.service_tier),
    finishReason: openAiFinishReason(choice?.finish_reason),
    responseId: completion.id,
    providerModel: completion.model,
  };
}

export class OpenAIProvider implements Provider {
  readonly name: ProviderName;
  private readonly client: OpenAI;
  private readonly hints: EndpointHints;

  constructor(endpoint: Endpoint) {
    this.name = endpoint.name;
    this.hints = endpoint.hints;
    this.client = openaiClient(endpoint, 600_000);
  }

  async complete(request: ProviderRequest): Promise<ProviderResponse> {
    const details: ErrorDetails = { provider: this.name, model: request.model.id };
    const body = chatCompletionBody(request);
    const options = {
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.timeoutMs ? { timeout: request.timeoutMs } : {}),
    };
    try {
      if (request.onDelta) return await this.stream(body, options, request);
      return fromCompletion(await this.client.chat.completions.create(body, options));
    } catch (error) {
      throw fromSdkError(error, details, OpenAI, readOpenAiError, this.hints);
    }
  }

  private async stream(
    body: OpenAI.ChatCompletionCreateParamsNonStreaming,
    options: OpenAI.RequestOptions,
    request: Pick<ProviderRequest, 'onDelta' | 'onToolCallDelta'>,
  ): Promise<ProviderResponse> {
    const stream = await this.client.chat.completions.create(
      { ...body, stream: true, stream_options: { include_usage: true } },
      options,
    );
    let text = '';
    let reason: string | null | undefined;
    let id = '';
    let model = body.model;
    let usage: OpenAI.CompletionUsage | undefined;
    let serviceTier: string | null | undefined;
    const toolCalls = new OpenAiToolCallAssembler();
    for await (const chunk of stream) {
      id = chunk.id;
      model = chunk.model;
      const choice = chunk.choices[0];
      const delta = choice?.delta.content;
      if (delta) {
        text += delta;
        request.onDelta?.(delta);
      }
      for (const call of choice?.delta.tool_calls ?? []) {
        toolCalls.add(call);
        request.onToolCallDelta?.({
          index: call.index,
          ...(call.id ? { id: call.id } : {}),
          ...(call.function?.name ? { name: call.function.name } : {}),
          argumentsDelta: call.function?.arguments ?? '',
        });
      }
      if (choice?.finish_reason) reason = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
      if (chunk.service_tier) serviceTier = chunk.service_tier;
    }
    return {
      text,
      toolCalls: toolCalls.toolCalls(),
      usage: openAiUsage(usage, serviceTier),
      finishReason: openAiFinishReason(reason),
      responseId: id,
      providerModel: model,
    };
  }
}
