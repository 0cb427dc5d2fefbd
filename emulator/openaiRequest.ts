import type { Conversation, OutputFormat, ToolChoice, ToolSpec } from './conversation.js';
import { parseOpenAiMessages } from './openaiMessages.js';
import { InvalidRequest, isObject, optionalString, positiveInteger, samplingOf } from './requestFields.js';
import { checkStrictSchema } from './strictSchema.js';

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
  const { system, messages } = parseOpenAiMessages(body.messages);
  const tools = parseTools(body.tools);
  onlyWithTools(body, tools, 'tool_choice');
  onlyWithTools(body, tools, 'parallel_tool_calls');
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
      toolChoice: parseToolChoice(body.tool_choice, tools),
      parallelToolCalls: body.parallel_tool_calls !== false,
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

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

function parseTools(tools: unknown): ToolSpec[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools))
    throw new InvalidRequest("Invalid type for 'tools': expected an array.", 'tools', 'invalid_type');
  return tools.map((t, i) => {
    if (isObject(t) && t.type === 'custom') {
      throw new InvalidRequest(
        'The emulator supports only function tools.',
        `tools[${i}].type`,
        'invalid_value',
      );
    }
    if (isObject(t) && t.type !== 'function') {
      throw new InvalidRequest(
        `Invalid value: '${String(t.type)}'. Supported values are: 'function' and 'custom'.`,
        `tools[${i}].type`,
        'invalid_value',
      );
    }
    const fn = isObject(t) ? t.function : undefined;
    if (!isObject(fn) || typeof fn.name !== 'string') {
      throw new InvalidRequest(
        `Missing required parameter: 'tools[${i}].function.name'.`,
        `tools[${i}].function.name`,
      );
    }
    if (!TOOL_NAME.test(fn.name)) {
      throw new InvalidRequest(
        `Invalid 'tools[${i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
        `tools[${i}].function.name`,
        'invalid_value',
      );
    }
    if (fn.strict === true) checkStrictSchema(fn.name, fn.parameters, `tools[${i}].function.parameters`);
    const spec: ToolSpec = { name: fn.name, schema: fn.parameters ?? { type: 'object', properties: {} } };
    if (typeof fn.description === 'string') spec.description = fn.description;
    return spec;
  });
}

/** OpenAI refuses tool_choice and parallel_tool_calls in a request without tools. */
function onlyWithTools(body: Record<string, unknown>, tools: ToolSpec[], field: string): void {
  if (tools.length > 0 || body[field] === undefined || body[field] === null) return;
  throw new InvalidRequest(
    `Invalid value for '${field}': '${field}' is only allowed when 'tools' are specified.`,
    field,
  );
}

function parseToolChoice(choice: unknown, tools: ToolSpec[]): ToolChoice {
  if (choice === undefined || choice === null || choice === 'auto') return { mode: 'auto' };
  if (choice === 'none' || choice === 'required') return { mode: choice };
  if (typeof choice === 'string') {
    throw new InvalidRequest(
      `Invalid value: '${choice}'. Supported values are: 'none', 'auto', and 'required'.`,
      'tool_choice',
      'invalid_value',
    );
  }
  const name = isObject(choice) && isObject(choice.function) ? choice.function.name : undefined;
  if (typeof name !== 'string' || !tools.some((t) => t.name === name)) {
    throw new InvalidRequest(
      `Invalid value for 'tool_choice': function '${String(name)}' not found in 'tools'.`,
      'tool_choice',
    );
  }
  return { mode: 'tool', name };
}
