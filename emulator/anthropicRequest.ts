import { parseAnthropicMessages } from './anthropicMessages.js';
import {
  type Conversation,
  contentToText,
  type OutputFormat,
  type ToolChoice,
  type ToolSpec,
} from './conversation.js';
import {
  InvalidRequest,
  isObject,
  type Json,
  optionalString,
  positiveInteger,
  samplingOf,
} from './requestFields.js';

export interface MessagesRequest {
  conversation: Conversation;
  stream: boolean;
}

/** Reads a Messages API body into the neutral form; throws InvalidRequest where Anthropic answers 400. */
export function parseMessagesRequest(body: unknown): MessagesRequest {
  if (!isObject(body)) throw new InvalidRequest('Request body must be a JSON object');
  const model = optionalString(body.model);
  if (!model) throw new InvalidRequest('model: Field required');
  const maxTokens = positiveIntegerField(body.max_tokens);
  return { conversation: readConversation(body, model, maxTokens), stream: body.stream === true };
}

/** The count_tokens body: the same as for messages, without max_tokens (ignored if sent). */
export function parseCountTokensRequest(body: unknown): Conversation {
  if (!isObject(body)) throw new InvalidRequest('Request body must be a JSON object');
  const model = optionalString(body.model);
  if (!model) throw new InvalidRequest('model: Field required');
  return readConversation(body, model, undefined);
}

function readConversation(body: Json, model: string, maxTokens: number | undefined): Conversation {
  if (!Array.isArray(body.messages)) throw new InvalidRequest('messages: Field required');
  const messages = parseAnthropicMessages(body.messages);
  const tools = parseTools(body.tools);
  const choice = body.tool_choice;
  return {
    model,
    system: contentToText(body.system ?? ''),
    messages,
    maxTokens,
    format: parseFormat(body),
    tools,
    toolChoice: parseToolChoice(choice, tools),
    parallelToolCalls: !(isObject(choice) && choice.disable_parallel_tool_use === true),
    stopSequences: Array.isArray(body.stop_sequences)
      ? body.stop_sequences.filter((s): s is string => typeof s === 'string')
      : [],
    sampling: samplingOf(body, ['temperature', 'top_p', 'top_k']),
  };
}

function positiveIntegerField(value: unknown): number {
  if (value === undefined) throw new InvalidRequest('max_tokens: Field required');
  const parsed = positiveInteger(value, 'max_tokens');
  if (parsed === undefined) throw new InvalidRequest('max_tokens: Input should be a valid integer');
  return parsed;
}

/** Structured outputs: output_config.format (current) or output_format (beta). */
function parseFormat(body: Record<string, unknown>): OutputFormat {
  const config = isObject(body.output_config) ? body.output_config.format : undefined;
  const format = config ?? body.output_format;
  if (isObject(format) && format.type === 'json_schema' && isObject(format.schema)) {
    return { kind: 'json_schema', schema: format.schema };
  }
  return { kind: 'text' };
}

function parseTools(tools: unknown): ToolSpec[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw new InvalidRequest('tools: Input should be a valid list');
  const specs = tools.map((t, i): ToolSpec => {
    if (!isObject(t) || typeof t.name !== 'string')
      throw new InvalidRequest(`tools.${i}.name: Field required`);
    const spec: ToolSpec = { name: t.name, schema: t.input_schema ?? { type: 'object', properties: {} } };
    if (typeof t.description === 'string') spec.description = t.description;
    return spec;
  });
  if (new Set(specs.map((s) => s.name)).size !== specs.length) {
    throw new InvalidRequest('tools: Tool names must be unique.');
  }
  return specs;
}

function parseToolChoice(choice: unknown, tools: ToolSpec[]): ToolChoice {
  if (choice === undefined || choice === null) return { mode: 'auto' };
  if (!isObject(choice))
    throw new InvalidRequest('tool_choice: Input should be a valid dictionary or object');
  switch (choice.type) {
    case 'auto':
      return { mode: 'auto' };
    case 'any':
      return { mode: 'required' };
    case 'none':
      return { mode: 'none' };
    case 'tool': {
      const name = choice.name;
      if (typeof name !== 'string' || !tools.some((t) => t.name === name)) {
        throw new InvalidRequest(`tool_choice: tool '${String(name)}' not found in tools`);
      }
      return { mode: 'tool', name };
    }
    default:
      throw new InvalidRequest(
        `tool_choice: Input tag '${String(choice.type)}' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'`,
      );
  }
}
