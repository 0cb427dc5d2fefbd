// Our messages, tools and tool calls in Anthropic Messages' wire format, and back. System messages
// go to `system`; an assistant's tool calls become `tool_use` blocks; tool results become
// `tool_result` blocks in the user turn that follows (Anthropic wants turns to alternate, so
// consecutive messages of one role are merged); images become `image` blocks. Tool-call ids made by
// another provider are mapped to the characters Anthropic allows, the same way for call and result.
import type Anthropic from '@anthropic-ai/sdk';
import { messageText } from '../../common/messages.js';
import type {
  ChatMessage,
  ContentPart,
  FinishReason,
  ImageMediaType,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from '../../common/request.js';

type Block = Anthropic.ContentBlockParam;

/** Anthropic accepts tool-use ids of `[A-Za-z0-9_-]`; others (another provider's) are mapped stably. */
export function anthropicToolId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_') || 'call';
}

function imageBlock(part: Extract<ContentPart, { type: 'image' }>): Anthropic.ImageBlockParam {
  const { source } = part;
  if ('data' in source) {
    return { type: 'image', source: { type: 'base64', media_type: source.mediaType, data: source.data } };
  }
  const inline = /^data:(image\/[a-z]+);base64,(.*)$/s.exec(source.url);
  if (inline?.[1] && inline[2]) {
    const mediaType = inline[1] as ImageMediaType;
    return { type: 'image', source: { type: 'base64', media_type: mediaType, data: inline[2] } };
  }
  return { type: 'image', source: { type: 'url', url: source.url } };
}

function contentBlocks(message: ChatMessage): Block[] {
  if (message.role === 'tool') {
    return [
      {
        type: 'tool_result',
        tool_use_id: anthropicToolId(message.toolCallId ?? ''),
        content: messageText(message),
        ...(message.isError ? { is_error: true } : {}),
      },
    ];
  }
  const parts: Block[] =
    typeof message.content === 'string'
      ? message.content
        ? [{ type: 'text', text: message.content }]
        : []
      : message.content.map((part) =>
          part.type === 'text' ? { type: 'text', text: part.text } : imageBlock(part),
        );
  for (const call of message.toolCalls ?? []) {
    parts.push({
      type: 'tool_use',
      id: anthropicToolId(call.id),
      name: call.name,
      input: call.arguments ?? {},
    });
  }
  return parts;
}

export interface AnthropicConversation {
  system: string;
  messages: Anthropic.MessageParam[];
}

export function toAnthropicMessages(messages: readonly ChatMessage[]): AnthropicConversation {
  const system = messages
    .filter((m) => m.role === 'system')
    .map((m) => messageText(m))
    .join('\n\n');
  const turns: Anthropic.MessageParam[] = [];
  for (const message of messages) {
    if (message.role === 'system') continue;
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const last = turns.at(-1);
    if (last && last.role === role) {
      // Tool results must come first in a user turn: a user's text after them is appended.
      const earlier: Block[] =
        typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content;
      last.content = [...earlier, ...contentBlocks(message)];
    } else {
      // Plain text stays a string, as Anthropic's own examples send it.
      const plain =
        typeof message.content === 'string' && message.role !== 'tool' && !message.toolCalls?.length;
      turns.push({ role, content: plain ? (message.content as string) : contentBlocks(message) });
    }
  }
  return { system, messages: turns };
}

export function toAnthropicTools(tools: readonly ToolDefinition[]): Anthropic.Tool[] {
  return tools.map((t) => ({
    name: t.name,
    ...(t.description ? { description: t.description } : {}),
    input_schema: t.parameters as Anthropic.Tool.InputSchema,
  }));
}

export function toAnthropicToolChoice(
  choice: ToolChoice | undefined,
  parallelToolCalls: boolean | undefined,
): Anthropic.ToolChoice | undefined {
  const noParallel = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallelToolCalls === false ? { type: 'auto', ...noParallel } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto', ...noParallel };
  if (choice === 'required') return { type: 'any', ...noParallel };
  return { type: 'tool', name: choice.name, ...noParallel };
}

export function fromAnthropicToolCalls(content: readonly Anthropic.ContentBlock[]): ToolCall[] {
  return content.flatMap((block) =>
    block.type === 'tool_use'
      ? [
          {
            id: block.id,
            name: block.name,
            arguments: block.input as ToolCall['arguments'],
            rawArguments: JSON.stringify(block.input),
          },
        ]
      : [],
  );
}

export function anthropicFinishReason(reason: string | null | undefined): FinishReason | 'other' {
  if (reason === 'end_turn' || reason === 'stop_sequence' || reason === 'pause_turn') return 'stop';
  if (reason === 'max_tokens' || reason === 'model_context_window_exceeded') return 'length';
  if (reason === 'tool_use') return 'tool_calls';
  if (reason === 'refusal') return 'content_filter';
  return 'other';
}
