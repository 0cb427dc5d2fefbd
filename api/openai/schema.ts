// The body of `POST /v1/chat/completions` as we accept it: the fields we read are checked (a mismatch
// is a 400 naming the field), the rest of OpenAI's fields are accepted and ignored.
import { jsonSchemaSchema, nullable, toolNameSchema } from '../wire/schema.js';

const part = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string' },
    text: { type: 'string' },
    image_url: {
      type: 'object',
      required: ['url'],
      properties: { url: { type: 'string', minLength: 1 }, detail: { enum: ['low', 'high', 'auto'] } },
    },
  },
} as const;

const toolCall = {
  type: 'object',
  required: ['id', 'type', 'function'],
  properties: {
    id: { type: 'string', minLength: 1 },
    type: { const: 'function' },
    function: {
      type: 'object',
      required: ['name', 'arguments'],
      properties: { name: toolNameSchema, arguments: { type: 'string' } },
    },
  },
} as const;

const tool = {
  type: 'object',
  required: ['type', 'function'],
  properties: {
    type: { const: 'function' },
    function: {
      type: 'object',
      required: ['name', 'parameters'],
      properties: {
        name: toolNameSchema,
        description: { type: 'string' },
        parameters: jsonSchemaSchema,
        strict: nullable({ type: 'boolean' }),
      },
    },
  },
} as const;

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
          role: { enum: ['system', 'developer', 'user', 'assistant', 'tool'] },
          content: nullable({ anyOf: [{ type: 'string' }, { type: 'array', items: part }] }),
          name: { type: 'string' },
          tool_calls: nullable({ type: 'array', items: toolCall }),
          tool_call_id: { type: 'string', minLength: 1 },
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
    n: nullable({ type: 'integer', minimum: 1 }),
    response_format: nullable({
      type: 'object',
      required: ['type'],
      properties: { type: { enum: ['text', 'json_object', 'json_schema'] } },
    }),
    tools: nullable({ type: 'array', maxItems: 128, items: tool }),
    tool_choice: nullable({
      anyOf: [
        { enum: ['auto', 'none', 'required'] },
        {
          type: 'object',
          required: ['type', 'function'],
          properties: {
            type: { const: 'function' },
            function: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
          },
        },
      ],
    }),
    parallel_tool_calls: nullable({ type: 'boolean' }),
  },
} as const;
