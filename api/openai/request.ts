// An OpenAI chat completion request as one of ours: messages (text and image parts, assistant tool
// calls, tool results) are sent as they are under the `chat` template's name, tools and the tool choice
// carry over, the model name picks a catalog model or a task route, and sampling settings carry over.
import type {
  ChatMessage,
  ContentPart,
  GenerationParams,
  JsonSchema,
  LlmRequest,
  ToolChoice,
  ToolDefinition,
} from '../../common/request.js';
import { FieldError } from '../errors.js';
import { imageFromUrl } from '../wire/images.js';
import { checkedToolChoice, checkToolNames, ToolCallLedger, wireToolCall } from '../wire/toolCalls.js';
import type { ModelChoice } from './models.js';
import { chatCompletionBodySchema } from './schema.js';

export { chatCompletionBodySchema };

export const CHAT_TEMPLATE_ID = 'chat';

type WirePart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: 'low' | 'high' | 'auto' } }
  | { type: string };

interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface WireMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  content?: string | WirePart[] | null;
  name?: string;
  tool_calls?: WireToolCall[] | null;
  tool_call_id?: string;
}

export interface WireTool {
  type: 'function';
  function: { name: string; description?: string; parameters: JsonSchema; strict?: boolean | null };
}

export interface ChatCompletionBody {
  model: string;
  messages: WireMessage[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  temperature?: number | null;
  top_p?: number | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  stop?: string | string[] | null;
  n?: number | null;
  response_format?: { type: string; json_schema?: { name?: string; schema?: JsonSchema } } | null;
  tools?: WireTool[] | null;
  tool_choice?: 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } } | null;
  parallel_tool_calls?: boolean | null;
  functions?: unknown;
  function_call?: unknown;
}

function textOf(param: string, content: WireMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content
    .map((part, p) => {
      if (part.type === 'text' && 'text' in part) return part.text;
      throw new FieldError(`${param}[${p}]`, `only text parts are accepted here, not "${part.type}"`);
    })
    .join('');
}

function userContent(param: string, content: WireMessage['content']): string | ContentPart[] {
  if (typeof content === 'string' || !content) return content ?? '';
  // Text-only content is sent as text, as it always was; parts only when there is an image.
  if (content.every((part) => part.type === 'text')) return textOf(param, content);
  return content.map((part, p): ContentPart => {
    if (part.type === 'text' && 'text' in part) return { type: 'text', text: part.text };
    if (part.type === 'image_url' && 'image_url' in part) {
      return imageFromUrl(`${param}[${p}].image_url.url`, part.image_url.url, part.image_url.detail);
    }
    throw new FieldError(`${param}[${p}].type`, `content parts may be text or image_url, not "${part.type}"`);
  });
}

export function conversation(body: ChatCompletionBody): ChatMessage[] {
  const ledger = new ToolCallLedger();
  const messages = body.messages.map((m, i): ChatMessage => {
    const param = `messages[${i}]`;
    if (m.role === 'system' || m.role === 'developer') {
      // `developer` is OpenAI's newer name for the system role.
      return { role: 'system', content: textOf(`${param}.content`, m.content) };
    }
    if (m.role === 'user') return { role: 'user', content: userContent(`${param}.content`, m.content) };
    if (m.role === 'tool') {
      if (!m.tool_call_id) throw new FieldError(`${param}.tool_call_id`, 'a tool message must name its call');
      const toolCallId = ledger.answered(`${param}.tool_call_id`, m.tool_call_id);
      return { role: 'tool', content: textOf(`${param}.content`, m.content), toolCallId };
    }
    const toolCalls = (m.tool_calls ?? []).map((call, c) =>
      wireToolCall(
        `${param}.tool_calls[${c}].function.arguments`,
        call.id,
        call.function.name,
        call.function.arguments,
      ),
    );
    ledger.made(toolCalls);
    return {
      role: 'assistant',
      content: textOf(`${param}.content`, m.content),
      ...(toolCalls.length ? { toolCalls } : {}),
    };
  });
  if (!messages.some((m) => m.role !== 'system')) {
    throw new FieldError(
      'messages',
      'at least one user or assistant message is needed besides system messages',
    );
  }
  return messages;
}

function params(body: ChatCompletionBody): GenerationParams | undefined {
  const maxOutputTokens = body.max_completion_tokens ?? body.max_tokens;
  const stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  const result: GenerationParams = {
    ...(body.temperature != null ? { temperature: body.temperature } : {}),
    ...(body.top_p != null ? { topP: body.top_p } : {}),
    ...(maxOutputTokens != null ? { maxOutputTokens } : {}),
    ...(stop?.length ? { stop } : {}),
  };
  return Object.keys(result).length ? result : undefined;
}

function output(body: ChatCompletionBody): Pick<LlmRequest, 'outputFormat' | 'schema'> {
  const format = body.response_format;
  if (!format || format.type === 'text') return {};
  if (format.type === 'json_object') return { outputFormat: 'json' };
  const schema = format.json_schema?.schema;
  if (!schema) throw new FieldError('response_format.json_schema.schema', 'required for type "json_schema"');
  return { outputFormat: 'json', schema };
}

function mappedTools(body: ChatCompletionBody): ToolDefinition[] | undefined {
  if (!body.tools?.length) return undefined;
  return body.tools.map(({ function: f }) => ({
    name: f.name,
    ...(f.description !== undefined ? { description: f.description } : {}),
    parameters: f.parameters,
    ...(f.strict != null ? { strict: f.strict } : {}),
  }));
}

function tools(body: ChatCompletionBody): ToolDefinition[] | undefined {
  const offered = mappedTools(body);
  if (offered) checkToolNames(offered, (i) => `tools[${i}].function.name`);
  return offered;
}

function toolChoice(body: ChatCompletionBody, offered: ToolDefinition[] | undefined): ToolChoice | undefined {
  const wire = body.tool_choice;
  if (wire == null) return undefined;
  const choice: ToolChoice = typeof wire === 'string' ? wire : { name: wire.function.name };
  const param = typeof wire === 'string' ? 'tool_choice' : 'tool_choice.function.name';
  return checkedToolChoice(param, choice, offered);
}

export function toLlmRequest(
  body: ChatCompletionBody,
  choice: ModelChoice,
  requestId: string,
  caller: string,
): LlmRequest {
  if (body.functions !== undefined || body.function_call !== undefined) {
    throw new FieldError(
      body.functions !== undefined ? 'functions' : 'function_call',
      'the deprecated functions API is not served: send `tools` and `tool_choice`',
    );
  }
  if (body.n != null && body.n > 1) {
    throw new FieldError(
      'n',
      `n=${body.n} is not served: each call is one durable request with one answer; send ${body.n} calls (with different Idempotency-Keys) for ${body.n} answers`,
    );
  }
  const generation = params(body);
  const offered = tools(body);
  const chosen = toolChoice(body, offered);
  return {
    requestId,
    taskType: choice.taskType,
    templateId: CHAT_TEMPLATE_ID,
    // The caller's messages are sent as they are; the template id names the request in the UI.
    variables: {},
    messages: conversation(body),
    caller,
    ...(choice.model ? { model: choice.model } : {}),
    ...(generation ? { params: generation } : {}),
    ...output(body),
    ...(offered ? { tools: offered } : {}),
    ...(chosen !== undefined ? { toolChoice: chosen } : {}),
    ...(offered && body.parallel_tool_calls != null ? { parallelToolCalls: body.parallel_tool_calls } : {}),
    ...(body.stream ? { stream: true } : {}),
  };
}
