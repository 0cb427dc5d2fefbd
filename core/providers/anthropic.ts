// Anthropic Messages adapter, through the official `@anthropic-ai/sdk` client with its own retries off.
// Native structured output is a forced tool call whose input schema is the requested schema.
import Anthropic from '@anthropic-ai/sdk';
import type { ProviderName } from '../../common/catalog.js';
import type { ErrorDetails } from '../../common/errors.js';
import type { TokenUsage } from '../../common/request.js';
import {
  anthropicFinishReason,
  fromAnthropicToolCalls,
  toAnthropicMessages,
  toAnthropicToolChoice,
  toAnthropicTools,
} from './anthropicMessages.js';
import { fromSdkError, type ProviderErrorKind, type ProviderErrorReading } from './errors.js';
import type { Endpoint, EndpointHints, Provider, ProviderRequest, ProviderResponse } from './types.js';

type ErrorBody = { error?: { type?: string; message?: string } } | undefined;

function classify(error: InstanceType<typeof Anthropic.APIError>): ProviderErrorKind {
  const body = error.error as ErrorBody;
  const type = body?.error?.type ?? '';
  const message = body?.error?.message ?? error.message;
  if (error.status === 529 || type === 'overloaded_error') return 'overloaded';
  if (error.status === 429 || type === 'rate_limit_error') return 'rate_limit';
  if (/prompt is too long|context window|too many tokens/i.test(message)) return 'context_length';
  if (/credit balance|billing|quota/i.test(message)) return 'quota';
  if (/content filtering policy|content policy/i.test(message)) return 'content_policy';
  if (error.status === 401 || type === 'authentication_error') return 'auth';
  if (error.status === 403 || type === 'permission_error') return 'permission';
  if (error.status === 404 || type === 'not_found_error') return 'not_found';
  if ((error.status ?? 0) >= 500) return 'server';
  return 'bad_request';
}

export function readAnthropicError(error: InstanceType<typeof Anthropic.APIError>): ProviderErrorReading {
  const body = (error.error as ErrorBody)?.error;
  return {
    kind: classify(error),
    message: body?.message ?? error.message,
    ...(body?.type ? { code: body.type } : {}),
  };
}

/**
 * Our usage from Anthropic's. Anthropic reports cache reads and writes apart from input_tokens; ours
 * are totals with the parts named, so each part can be priced at its own rate (writes by TTL).
 */
export function anthropicUsage(usage: Anthropic.Usage): TokenUsage {
  const reads = usage.cache_read_input_tokens ?? 0;
  const writes = usage.cache_creation_input_tokens ?? 0;
  // Without the split by TTL, writes are the 5-minute kind (the API's default TTL).
  const writes1h = Math.min(writes, usage.cache_creation?.ephemeral_1h_input_tokens ?? 0);
  const reasoning = usage.output_tokens_details?.thinking_tokens ?? 0;
  const inputTokens = usage.input_tokens + reads + writes;
  const tier = usage.service_tier;
  return {
    inputTokens,
    outputTokens: usage.output_tokens,
    totalTokens: inputTokens + usage.output_tokens,
    ...(reads ? { cachedInputTokens: reads } : {}),
    ...(writes ? { cacheWriteTokens: writes } : {}),
    ...(writes1h ? { cacheWrite1hTokens: writes1h } : {}),
    ...(reasoning ? { reasoningTokens: reasoning } : {}),
    ...(tier && tier !== 'standard' ? { serviceTier: tier } : {}),
  };
}

/** The Messages body for a request (also one batch request's params), and whether the answer is a forced tool call. */
export function messagesBody(request: ProviderRequest): {
  body: Anthropic.MessageCreateParamsNonStreaming;
  structured: boolean;
} {
  const { system, messages } = toAnthropicMessages(request.messages);
  // The caller's own tools take the tool slot; structured output then rests on validation alone.
  const tools = request.tools?.length ? request.tools : undefined;
  const tool = tools ? undefined : request.structuredOutput;
  const toolChoice = tools ? toAnthropicToolChoice(request.toolChoice, request.parallelToolCalls) : undefined;
  const body: Anthropic.MessageCreateParamsNonStreaming = {
    model: request.model.providerModel,
    max_tokens: request.maxOutputTokens,
    messages,
    ...(system ? { system } : {}),
    ...(tools ? { tools: toAnthropicTools(tools) } : {}),
    ...(toolChoice ? { tool_choice: toolChoice } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { top_p: request.topP } : {}),
    ...(request.stop?.length ? { stop_sequences: request.stop } : {}),
    ...(tool
      ? {
          tools: [
            {
              name: tool.name,
              description: 'Return the answer as this tool input.',
              input_schema: tool.schema as Anthropic.Tool.InputSchema,
            },
          ],
          tool_choice: { type: 'tool' as const, name: tool.name },
        }
      : {}),
  };
  return { body, structured: tool !== undefined };
}

/** The official client for an endpoint, its own retries off (the batch adapter builds its client so too). */
export function anthropicClient(endpoint: Endpoint): Anthropic {
  return new Anthropic({
    apiKey: endpoint.apiKey,
    ...(endpoint.baseURL ? { baseURL: endpoint.baseURL } : {}),
    ...(endpoint.headers ? { defaultHeaders: endpoint.headers } : {}),
    ...(endpoint.queryParams ? { defaultQuery: endpoint.queryParams } : {}),
    maxRetries: 0,
    timeout: endpoint.timeoutMs ?? 600_000,
  });
}

export class AnthropicProvider implements Provider {
  readonly name: ProviderName;
  private readonly client: Anthropic;
  private readonly hints: EndpointHints;

  constructor(endpoint: Endpoint) {
    this.name = endpoint.name;
    this.hints = endpoint.hints;
    this.client = anthropicClient(endpoint);
  }

  async complete(request: ProviderRequest): Promise<ProviderResponse> {
    const details: ErrorDetails = { provider: this.name, model: request.model.id };
    const { body, structured } = messagesBody(request);
    const options = {
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.timeoutMs ? { timeout: request.timeoutMs } : {}),
    };
    try {
      const message = request.onDelta
        ? await this.stream(body, options, request)
        : await this.client.messages.create(body, options);
      return fromMessage(message, structured);
    } catch (error) {
      throw fromSdkError(error, details, Anthropic, readAnthropicError, this.hints);
    }
  }

  private async stream(
    body: Anthropic.MessageCreateParamsNonStreaming,
    options: Anthropic.RequestOptions,
    request: Pick<ProviderRequest, 'onDelta' | 'onToolCallDelta'>,
  ): Promise<Anthropic.Message> {
    const stream = this.client.messages.stream(body, options);
    stream.on('text', (delta) => request.onDelta?.(delta));
    // Tool calls arrive as content blocks: a tool_use start, then input_json_delta fragments.
    let toolIndex = -1;
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_start' && event.content_block.type === 'tool_use') {
        toolIndex++;
        const { id, name } = event.content_block;
        request.onToolCallDelta?.({ index: toolIndex, id, name, argumentsDelta: '' });
      } else if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') {
        request.onToolCallDelta?.({ index: toolIndex, argumentsDelta: event.delta.partial_json });
      }
    });
    return await stream.finalMessage();
  }
}

/** Our response from a message (also a batch result's message). */
export function fromMessage(message: Anthropic.Message, structured: boolean): ProviderResponse {
  // A forced tool call carries the structured answer as its input; text blocks carry plain answers.
  const toolUse = structured ? message.content.find((block) => block.type === 'tool_use') : undefined;
  const text = toolUse
    ? JSON.stringify(toolUse.input)
    : message.content
        .filter((block) => block.type === 'text')
        .map((block) => block.text)
        .join('');
  return {
    text,
    toolCalls: structured ? [] : fromAnthropicToolCalls(message.content),
    usage: anthropicUsage(message.usage),
    // The forced answer tool is our structured output, not a call the caller asked for.
    finishReason: structured && toolUse ? 'stop' : anthropicFinishReason(message.stop_reason),
    responseId: message.id,
    providerModel: message.model,
  };
}
