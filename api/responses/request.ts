// An OpenAI Responses request as one of ours: `instructions` become the system message, `input` (a
// string, or message, function_call and function_call_output items) the conversation, after the
// stored conversation a `previous_response_id` names; function tools, the tool choice and a
// `text.format` JSON schema carry over. What the Response object echoes back is kept in `variables`.
import type {
  ChatMessage,
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
import { checkedToolChoice, checkToolNames, requireFields } from '../wire/toolCalls.js';
import { type InputItem, type InputPart, inputMessages } from './input.js';

export type { InputItem, InputPart };

export interface WireFunctionTool {
  type: string;
  name?: string;
  description?: string | null;
  parameters?: JsonSchema | null;
  strict?: boolean | null;
}

export type WireTextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name?: string; schema: JsonSchema; strict?: boolean | null };

export interface ResponsesBody {
  model: string;
  input: string | InputItem[];
  instructions?: string | null;
  tools?: WireFunctionTool[] | null;
  tool_choice?: 'auto' | 'none' | 'required' | { type: 'function'; name: string } | null;
  parallel_tool_calls?: boolean | null;
  text?: { format?: WireTextFormat | null } | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stream?: boolean | null;
  store?: boolean | null;
  previous_response_id?: string | null;
}

/** What a Response echoes that the request itself does not hold, kept durably in its variables. */
export interface ResponseEcho {
  instructions?: string;
  previousResponseId?: string;
}

export function echoOf(request: LlmRequest): ResponseEcho {
  const v = request.variables;
  return {
    ...(typeof v.instructions === 'string' ? { instructions: v.instructions } : {}),
    ...(typeof v.previousResponseId === 'string' ? { previousResponseId: v.previousResponseId } : {}),
  };
}

function mappedTools(body: ResponsesBody): ToolDefinition[] | undefined {
  if (!body.tools?.length) return undefined;
  return body.tools.map((tool, t) => {
    if (tool.type !== 'function') {
      throw new FieldError(`tools[${t}].type`, `only function tools are served, not "${tool.type}"`);
    }
    if (!tool.name) throw new FieldError(`tools[${t}].name`, 'a function tool needs a name');
    if (!tool.parameters) {
      throw new FieldError(
        `tools[${t}].parameters`,
        'a function tool needs a JSON Schema for its parameters',
      );
    }
    return {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      parameters: tool.parameters,
      ...(tool.strict != null ? { strict: tool.strict } : {}),
    };
  });
}

function tools(body: ResponsesBody): ToolDefinition[] | undefined {
  const offered = mappedTools(body);
  if (offered) checkToolNames(offered, (i) => `tools[${i}].name`);
  return offered;
}

function toolChoice(body: ResponsesBody, offered: ToolDefinition[] | undefined): ToolChoice | undefined {
  const wire = body.tool_choice;
  if (wire == null) return undefined;
  if (typeof wire === 'string') return checkedToolChoice('tool_choice', wire, offered);
  return checkedToolChoice('tool_choice.name', { name: wire.name }, offered);
}

function output(body: ResponsesBody): Pick<LlmRequest, 'outputFormat' | 'schema'> {
  const format = body.text?.format;
  if (!format || format.type === 'text') return {};
  if (format.type === 'json_object') return { outputFormat: 'json' };
  requireFields('text.format', format, ['schema']);
  return { outputFormat: 'json', schema: format.schema };
}

function params(body: ResponsesBody): GenerationParams | undefined {
  const result: GenerationParams = {
    ...(body.temperature != null ? { temperature: body.temperature } : {}),
    ...(body.top_p != null ? { topP: body.top_p } : {}),
    ...(body.max_output_tokens != null ? { maxOutputTokens: body.max_output_tokens } : {}),
  };
  return Object.keys(result).length ? result : undefined;
}

export interface ResponsesContext {
  choice: ModelChoice;
  requestId: string;
  caller: string;
  /** The stored conversation `previous_response_id` continues: its messages and its answer. */
  earlier: ChatMessage[];
}

export function toLlmRequest(body: ResponsesBody, context: ResponsesContext): LlmRequest {
  if (body.store === false) {
    throw new FieldError(
      'store',
      'store: false cannot be honoured: every response is a durable workflow whose input and result Temporal keeps (that is what previous_response_id reads back)',
    );
  }
  const offered = tools(body);
  const chosen = toolChoice(body, offered);
  const instructions = body.instructions ?? undefined;
  const messages = [
    ...(instructions ? [{ role: 'system' as const, content: instructions }] : []),
    ...context.earlier,
    ...inputMessages(body.input, context.earlier),
  ];
  if (!messages.some((m) => m.role !== 'system')) {
    throw new FieldError('input', 'at least one user or assistant message is needed besides instructions');
  }
  const generation = params(body);
  const echo: Record<string, JsonValue> = {
    ...(instructions ? { instructions } : {}),
    ...(body.previous_response_id ? { previousResponseId: body.previous_response_id } : {}),
  };
  return {
    requestId: context.requestId,
    taskType: context.choice.taskType,
    templateId: CHAT_TEMPLATE_ID,
    variables: echo,
    messages,
    caller: context.caller,
    ...(context.choice.model ? { model: context.choice.model } : {}),
    ...(generation ? { params: generation } : {}),
    ...output(body),
    ...(offered ? { tools: offered } : {}),
    ...(chosen !== undefined ? { toolChoice: chosen } : {}),
    ...(offered && body.parallel_tool_calls != null ? { parallelToolCalls: body.parallel_tool_calls } : {}),
    ...(body.stream ? { stream: true } : {}),
  };
}
