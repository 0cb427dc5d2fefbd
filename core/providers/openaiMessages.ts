// Our messages, tools and tool calls in OpenAI Chat Completions' wire format, and back: content
// parts become `text` / `image_url` parts, an assistant's tool calls `tool_calls`, a tool result a
// `tool` message naming its call. Used by the OpenAI adapter (and every OpenAI-compatible endpoint).
import type OpenAI from 'openai';
import { messageText } from '../../common/messages.js';
import type {
  ChatMessage,
  ContentPart,
  FinishReason,
  JsonValue,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from '../../common/request.js';

type WireMessage = OpenAI.ChatCompletionMessageParam;
type WirePart = OpenAI.ChatCompletionContentPart;

function wirePart(part: ContentPart): WirePart {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const url =
    'url' in part.source ? part.source.url : `data:${part.source.mediaType};base64,${part.source.data}`;
  return { type: 'image_url', image_url: { url, ...(part.detail ? { detail: part.detail } : {}) } };
}

function wireToolCall(call: ToolCall): OpenAI.ChatCompletionMessageToolCall {
  return {
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.rawArguments ?? JSON.stringify(call.arguments) },
  };
}

export function toOpenAiMessages(messages: readonly ChatMessage[]): WireMessage[] {
  return messages.map((m): WireMessage => {
    if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId ?? '', content: messageText(m) };
    if (m.role === 'assistant') {
      return {
        role: 'assistant',
        content: messageText(m) || (m.toolCalls?.length ? null : ''),
        ...(m.toolCalls?.length ? { tool_calls: m.toolCalls.map(wireToolCall) } : {}),
      };
    }
    if (m.role === 'system') return { role: 'system', content: messageText(m) };
    return { role: 'user', content: typeof m.content === 'string' ? m.content : m.content.map(wirePart) };
  });
}

export function toOpenAiTools(tools: readonly ToolDefinition[]): OpenAI.ChatCompletionTool[] {
  return tools.map((t) => ({
    type: 'function',
    function: {
      name: t.name,
      ...(t.description ? { description: t.description } : {}),
      parameters: t.parameters,
      ...(t.strict !== undefined ? { strict: t.strict } : {}),
    },
  }));
}

export function toOpenAiToolChoice(choice: ToolChoice): OpenAI.ChatCompletionToolChoiceOption {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

/** Arguments as the model wrote them, parsed; text that is not JSON stays a string for validation to report. */
export function parseArguments(raw: string): JsonValue {
  try {
    return JSON.parse(raw === '' ? '{}' : raw) as JsonValue;
  } catch {
    return raw;
  }
}

export function fromOpenAiToolCalls(
  calls: readonly OpenAI.ChatCompletionMessageToolCall[] | undefined,
): ToolCall[] {
  return (calls ?? []).flatMap((call) =>
    call.type === 'function'
      ? [
          {
            id: call.id,
            name: call.function.name,
            arguments: parseArguments(call.function.arguments),
            rawArguments: call.function.arguments,
          },
        ]
      : [],
  );
}

export function openAiFinishReason(reason: string | null | undefined): FinishReason | 'other' {
  if (reason === 'stop' || reason === 'length' || reason === 'content_filter' || reason === 'tool_calls') {
    return reason;
  }
  if (reason === 'function_call') return 'tool_calls';
  return 'other';
}

/** Assembles streamed tool-call fragments (`delta.tool_calls[i]`) into whole calls, by index. */
export class OpenAiToolCallAssembler {
  private readonly calls: { id: string; name: string; arguments: string }[] = [];

  add(delta: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall): void {
    const call = this.calls[delta.index] ?? { id: '', name: '', arguments: '' };
    this.calls[delta.index] = call;
    if (delta.id) call.id = delta.id;
    if (delta.function?.name) call.name += delta.function.name;
    if (delta.function?.arguments) call.arguments += delta.function.arguments;
  }

  toolCalls(): ToolCall[] {
    return this.calls
      .filter((c) => c !== undefined)
      .map((c) => ({
        id: c.id,
        name: c.name,
        arguments: parseArguments(c.arguments),
        rawArguments: c.arguments,
      }));
  }
}
