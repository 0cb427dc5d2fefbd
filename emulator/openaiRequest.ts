import { type Conversation, contentToText, type OutputFormat, type ToolSpec } from './conversation.js';
import {
  InvalidRequest,
  isObject,
  type Json,
  optionalString,
  positiveInteger,
  samplingOf,
} from './requestFields.js';

export interface ChatRequest {
  conversation: Conversation;
  stream: boolean;
  includeUsage: boolean;
}

/** Reads a Chat Completions body into the neutral form; throws InvalidRequest where OpenAI answers 400. */
export function parseChatRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw new InvalidRequest('We could not parse the JSON body of your request.');
  const model = optionalString(body.model);
  if (!model) throw new InvalidRequest('you must provide a model parameter', 'model');
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new InvalidRequest("Missing required parameter: 'messages'.", 'messages');
  }
  const system: string[] = [];
  const messages: Conversation['messages'] = [];
  body.messages.forEach((m, i) => {
    if (!isObject(m) || typeof m.role !== 'string') {
      throw new InvalidRequest(`Missing required parameter: 'messages[${i}].role'.`, `messages[${i}].role`);
    }
    const text = messageText(m);
    if (m.role === 'system' || m.role === 'developer') system.push(text);
    else messages.push({ role: m.role, text });
  });
  const tools = parseTools(body.tools);
  const stop = body.stop;
  return {
    conversation: {
      model,
      system: system.join('\n'),
      messages,
      maxTokens:
        positiveInteger(body.max_completion_tokens, 'max_completion_tokens') ??
        positiveInteger(body.max_tokens, 'max_tokens'),
      format: parseFormat(body.response_format),
      tools,
      forcedTool: forcedTool(body.tool_choice, tools),
      stopSequences: typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop.filter(isString) : [],
      sampling: samplingOf(body, ['temperature', 'top_p', 'seed']),
    },
    stream: body.stream === true,
    includeUsage: isObject(body.stream_options) && body.stream_options.include_usage === true,
  };
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** Assistant tool calls count as content, so a conversation that continues after them changes the seed. */
function messageText(m: Json): string {
  const text = contentToText(m.content);
  return Array.isArray(m.tool_calls) && m.tool_calls.length > 0
    ? `${text}${JSON.stringify(m.tool_calls)}`
    : text;
}

function parseFormat(format: unknown): OutputFormat {
  if (!isObject(format) || format.type === 'text' || format.type === undefined) return { kind: 'text' };
  if (format.type === 'json_object') return { kind: 'json_object' };
  if (format.type === 'json_schema') {
    const spec = format.json_schema;
    if (!isObject(spec) || !isObject(spec.schema)) {
      throw new InvalidRequest(
        "Missing required parameter: 'response_format.json_schema.schema'.",
        'response_format',
      );
    }
    return { kind: 'json_schema', schema: spec.schema };
  }
  throw new InvalidRequest(
    `Invalid value: '${String(format.type)}'. Supported values are: 'text', 'json_object' and 'json_schema'.`,
    'response_format.type',
  );
}

function parseTools(tools: unknown): ToolSpec[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools))
    throw new InvalidRequest("Invalid type for 'tools': expected an array.", 'tools');
  return tools.map((t, i) => {
    const fn = isObject(t) ? t.function : undefined;
    if (!isObject(fn) || typeof fn.name !== 'string') {
      throw new InvalidRequest(
        `Missing required parameter: 'tools[${i}].function.name'.`,
        `tools[${i}].function.name`,
      );
    }
    return { name: fn.name, schema: fn.parameters ?? { type: 'object', properties: {} } };
  });
}

function forcedTool(choice: unknown, tools: ToolSpec[]): string | undefined {
  if (choice === 'required') return tools[0]?.name;
  if (!isObject(choice) || !isObject(choice.function)) return undefined;
  const name = choice.function.name;
  if (typeof name !== 'string' || !tools.some((t) => t.name === name)) {
    throw new InvalidRequest(
      `Invalid value for 'tool_choice': function '${String(name)}' not found in 'tools'.`,
      'tool_choice',
    );
  }
  return name;
}
