// An OpenAI chat completion request as one of ours: the conversation goes through the `chat` template
// (system messages become the system message; the last message, after the earlier turns, the user
// message), the model name picks a catalog model or a task route, and sampling settings carry over.
import type { ChatMessage, GenerationParams, JsonSchema, LlmRequest } from '../../common/request.js';
import { HttpError } from '../errors.js';
import type { ModelChoice } from './models.js';

export const CHAT_TEMPLATE_ID = 'chat';

type ContentPart = { type: string; text?: string };

export interface ChatCompletionBody {
  model: string;
  messages: { role: string; content?: string | ContentPart[] | null; name?: string }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  temperature?: number | null;
  top_p?: number | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  stop?: string | string[] | null;
  n?: number | null;
  response_format?: { type: string; json_schema?: { name?: string; schema?: JsonSchema } } | null;
  tools?: unknown;
  functions?: unknown;
}

const nullable = (schema: Record<string, unknown>): Record<string, unknown> => ({
  anyOf: [schema, { type: 'null' }],
});

/** Lenient like OpenAI's: unknown fields (user, seed, metadata, …) are accepted and ignored. */
export const chatCompletionBodySchema = {
  type: 'object',
  required: ['model', 'messages'],
  properties: {
    model: { type: 'string', minLength: 1 },
    messages: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['role'],
        properties: {
          role: { enum: ['system', 'developer', 'user', 'assistant'] },
          content: nullable({
            anyOf: [
              { type: 'string' },
              {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['type'],
                  properties: { type: { type: 'string' }, text: { type: 'string' } },
                },
              },
            ],
          }),
          name: { type: 'string' },
        },
      },
    },
    stream: nullable({ type: 'boolean' }),
    stream_options: nullable({ type: 'object', properties: { include_usage: { type: 'boolean' } } }),
    temperature: nullable({ type: 'number', minimum: 0, maximum: 2 }),
    top_p: nullable({ type: 'number', minimum: 0, maximum: 1 }),
    max_tokens: nullable({ type: 'integer', minimum: 1 }),
    max_completion_tokens: nullable({ type: 'integer', minimum: 1 }),
    stop: nullable({
      anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 4 }],
    }),
    n: nullable({ type: 'integer', minimum: 1, maximum: 1 }),
    response_format: nullable({
      type: 'object',
      required: ['type'],
      properties: { type: { enum: ['text', 'json_object', 'json_schema'] } },
    }),
  },
} as const;

function text(content: string | ContentPart[] | null | undefined, index: number): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content
    .map((part, p) => {
      if (part.type !== 'text' || typeof part.text !== 'string') {
        throw invalid(`messages[${index}].content[${p}]: only text parts are supported, not "${part.type}"`);
      }
      return part.text;
    })
    .join('');
}

function invalid(message: string): HttpError {
  return new HttpError(400, 'InvalidRequestError', message);
}

export function conversation(body: ChatCompletionBody): ChatMessage[] {
  const messages = body.messages.map((m, i) => ({
    // `developer` is OpenAI's newer name for the system role.
    role: m.role === 'developer' ? 'system' : (m.role as ChatMessage['role']),
    content: text(m.content, i),
  }));
  if (!messages.some((m) => m.role !== 'system')) {
    throw invalid('messages: at least one user or assistant message is needed besides system messages');
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
  if (!schema) throw invalid('response_format.json_schema.schema is required for type "json_schema"');
  return { outputFormat: 'json', schema };
}

export function toLlmRequest(
  body: ChatCompletionBody,
  choice: ModelChoice,
  requestId: string,
  caller: string,
): LlmRequest {
  if (body.tools !== undefined || body.functions !== undefined) {
    throw invalid('tools and functions are not supported by this endpoint');
  }
  const generation = params(body);
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
    ...(body.stream ? { stream: true } : {}),
  };
}
