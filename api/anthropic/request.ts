// An Anthropic Messages request as one of ours: `system` becomes the system message; each user turn's
// `tool_result` blocks become tool messages (in order, before the turn's text and images); an
// assistant turn's `tool_use` blocks its tool calls; `tools`, `tool_choice`, `max_tokens`,
// `stop_sequences`, `temperature` and `top_p` carry over.
import type {
  ChatMessage,
  ContentPart,
  GenerationParams,
  JsonSchema,
  JsonValue,
  LlmRequest,
  ToolChoice,
  ToolDefinition,
} from '../../common/request.js';
import { FieldError } from '../errors.js';
import type { ModelChoice } from '../openai/models.js';
import { CHAT_TEMPLATE_ID } from '../openai/request.js';
import { imageFromUrl, inlineImageSource } from '../wire/images.js';
import { checkedToolChoice, checkToolNames, requireFields, ToolCallLedger } from '../wire/toolCalls.js';

export type ImageSourceBlock =
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'url'; url: string };

export type Block =
  | { type: 'text'; text: string }
  | { type: 'image'; source: ImageSourceBlock }
  | { type: 'tool_use'; id: string; name: string; input: JsonValue }
  | {
      type: 'tool_result';
      tool_use_id: string;
      content?: string | Block[];
      is_error?: boolean;
    }
  | { type: string };

export interface WireMessage {
  role: 'user' | 'assistant';
  content: string | Block[];
}

export interface WireTool {
  name: string;
  description?: string;
  input_schema: JsonSchema;
  type?: string | null;
}

export interface WireToolChoice {
  type: 'auto' | 'any' | 'tool' | 'none';
  name?: string;
  disable_parallel_tool_use?: boolean;
}

export interface MessagesBody {
  model: string;
  max_tokens: number;
  messages: WireMessage[];
  system?: string | { type: 'text'; text: string }[];
  tools?: WireTool[];
  tool_choice?: WireToolChoice;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  stream?: boolean;
}

/** `count_tokens` takes the same conversation, without `max_tokens`. */
export type CountTokensBody = Omit<MessagesBody, 'max_tokens' | 'stream'>;

function systemText(system: MessagesBody['system']): string | undefined {
  if (system === undefined) return undefined;
  const text = typeof system === 'string' ? system : system.map((b) => b.text).join('\n\n');
  return text || undefined;
}

function imagePart(param: string, source: ImageSourceBlock): ContentPart {
  requireFields(param, source, source.type === 'base64' ? ['media_type', 'data'] : ['url']);
  if (source.type === 'base64') {
    return { type: 'image', source: inlineImageSource(`${param}.data`, source.media_type, source.data) };
  }
  return imageFromUrl(`${param}.url`, source.url);
}

function resultText(param: string, content: string | Block[] | undefined): string {
  if (content === undefined || typeof content === 'string') return content ?? '';
  return content
    .map((block, b) => {
      if (block.type === 'text' && 'text' in block) return block.text;
      throw new FieldError(`${param}[${b}].type`, `a tool result may hold text blocks, not "${block.type}"`);
    })
    .join('\n');
}

const BLOCK_FIELDS: Record<string, readonly string[]> = {
  text: ['text'],
  image: ['source'],
  tool_use: ['id', 'name', 'input'],
  tool_result: ['tool_use_id'],
};

function turnMessages(message: WireMessage, i: number, ledger: ToolCallLedger): ChatMessage[] {
  const param = `messages[${i}].content`;
  if (typeof message.content === 'string') return [{ role: message.role, content: message.content }];
  const results: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  const toolCalls: NonNullable<ChatMessage['toolCalls']> = [];
  message.content.forEach((block, b) => {
    const where = `${param}[${b}]`;
    requireFields(where, block, BLOCK_FIELDS[block.type] ?? []);
    if (block.type === 'text' && 'text' in block) parts.push({ type: 'text', text: block.text });
    else if (block.type === 'image' && 'source' in block)
      parts.push(imagePart(`${where}.source`, block.source));
    else if (block.type === 'tool_use' && 'input' in block && message.role === 'assistant') {
      toolCalls.push({
        id: block.id,
        name: block.name,
        arguments: block.input,
        rawArguments: JSON.stringify(block.input),
      });
    } else if (block.type === 'tool_result' && 'tool_use_id' in block && message.role === 'user') {
      results.push({
        role: 'tool',
        content: resultText(`${where}.content`, block.content),
        toolCallId: ledger.answered(`${where}.tool_use_id`, block.tool_use_id),
        ...(block.is_error ? { isError: true } : {}),
      });
    } else {
      throw new FieldError(
        `${where}.type`,
        `a ${message.role} turn may not hold a "${block.type}" block here`,
      );
    }
  });
  ledger.made(toolCalls);
  const only = parts.length === 1 ? parts[0] : undefined;
  const content = parts.length === 0 ? '' : only?.type === 'text' ? only.text : parts;
  const own: ChatMessage[] =
    parts.length || toolCalls.length || results.length === 0
      ? [{ role: message.role, content, ...(toolCalls.length ? { toolCalls } : {}) }]
      : [];
  return [...results, ...own];
}

export function conversation(body: Pick<MessagesBody, 'system' | 'messages'>): ChatMessage[] {
  const ledger = new ToolCallLedger();
  const system = systemText(body.system);
  return [
    ...(system ? [{ role: 'system' as const, content: system }] : []),
    ...body.messages.flatMap((m, i) => turnMessages(m, i, ledger)),
  ];
}

function mappedTools(body: Pick<MessagesBody, 'tools'>): ToolDefinition[] | undefined {
  if (!body.tools?.length) return undefined;
  return body.tools.map((tool, t) => {
    if (tool.type != null && tool.type !== 'custom') {
      throw new FieldError(`tools[${t}].type`, `only custom (client) tools are served, not "${tool.type}"`);
    }
    return {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      parameters: tool.input_schema,
    };
  });
}

export function tools(body: Pick<MessagesBody, 'tools'>): ToolDefinition[] | undefined {
  const offered = mappedTools(body);
  if (offered) checkToolNames(offered, (i) => `tools[${i}].name`);
  return offered;
}

function toolChoice(
  wire: WireToolChoice | undefined,
  offered: ToolDefinition[] | undefined,
): Pick<LlmRequest, 'toolChoice' | 'parallelToolCalls'> {
  if (!wire) return {};
  const choice: ToolChoice =
    wire.type === 'any' ? 'required' : wire.type === 'tool' ? { name: wire.name ?? '' } : wire.type;
  if (wire.type === 'tool' && !wire.name)
    throw new FieldError('tool_choice.name', 'required for type "tool"');
  const checked = checkedToolChoice(
    wire.type === 'tool' ? 'tool_choice.name' : 'tool_choice',
    choice,
    offered,
  );
  return {
    ...(checked !== undefined ? { toolChoice: checked } : {}),
    ...(offered && wire.disable_parallel_tool_use ? { parallelToolCalls: false } : {}),
  };
}

function params(body: MessagesBody): GenerationParams {
  return {
    maxOutputTokens: body.max_tokens,
    ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
    ...(body.top_p !== undefined ? { topP: body.top_p } : {}),
    ...(body.stop_sequences?.length ? { stop: body.stop_sequences } : {}),
  };
}

export function toLlmRequest(
  body: MessagesBody,
  choice: ModelChoice,
  requestId: string,
  caller: string,
): LlmRequest {
  const offered = tools(body);
  return {
    requestId,
    taskType: choice.taskType,
    templateId: CHAT_TEMPLATE_ID,
    variables: {},
    messages: conversation(body),
    caller,
    ...(choice.model ? { model: choice.model } : {}),
    params: params(body),
    ...(offered ? { tools: offered } : {}),
    ...toolChoice(body.tool_choice, offered),
    ...(body.stream ? { stream: true } : {}),
  };
}
