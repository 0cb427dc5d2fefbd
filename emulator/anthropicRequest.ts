import { type Conversation, contentToText, type OutputFormat, type ToolSpec } from './conversation.js';
import { InvalidRequest, isObject, optionalString, positiveInteger, samplingOf } from './requestFields.js';

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
  if (!Array.isArray(body.messages)) throw new InvalidRequest('messages: Field required');
  const messages = body.messages.map((m, i) => {
    if (!isObject(m) || (m.role !== 'user' && m.role !== 'assistant')) {
      throw new InvalidRequest(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    }
    return { role: m.role, text: contentToText(m.content) };
  });
  const tools = parseTools(body.tools);
  return {
    conversation: {
      model,
      system: contentToText(body.system ?? ''),
      messages,
      maxTokens,
      format: parseFormat(body),
      tools,
      forcedTool: forcedTool(body.tool_choice, tools),
      stopSequences: Array.isArray(body.stop_sequences)
        ? body.stop_sequences.filter((s): s is string => typeof s === 'string')
        : [],
      sampling: samplingOf(body, ['temperature', 'top_p', 'top_k']),
    },
    stream: body.stream === true,
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
  return tools.map((t, i) => {
    if (!isObject(t) || typeof t.name !== 'string')
      throw new InvalidRequest(`tools.${i}.name: Field required`);
    return { name: t.name, schema: t.input_schema ?? { type: 'object', properties: {} } };
  });
}

function forcedTool(choice: unknown, tools: ToolSpec[]): string | undefined {
  if (!isObject(choice)) return undefined;
  if (choice.type === 'any') return tools[0]?.name;
  if (choice.type !== 'tool') return undefined;
  const name = choice.name;
  if (typeof name !== 'string' || !tools.some((t) => t.name === name)) {
    throw new InvalidRequest(`tool_choice: tool '${String(name)}' not found in tools`);
  }
  return name;
}
