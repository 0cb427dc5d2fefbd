// The body of `POST /v1/responses` as we accept it: the fields we read are checked (a mismatch is a
// 400 naming the field); what each item type requires is checked in request.ts, naming the item.
import { idParamsSchema } from '../schemas.js';
import { jsonSchemaSchema, nullable, toolNameSchema } from '../wire/schema.js';

const part = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string' },
    text: { type: 'string' },
    image_url: { type: 'string', minLength: 1 },
    detail: { enum: ['low', 'high', 'auto'] },
  },
} as const;

const content = { anyOf: [{ type: 'string' }, { type: 'array', items: part }] } as const;

const item = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    role: { enum: ['user', 'assistant', 'system', 'developer'] },
    content,
    call_id: { type: 'string', minLength: 1 },
    name: toolNameSchema,
    arguments: { type: 'string' },
    output: content,
  },
} as const;

const tool = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string' },
    name: toolNameSchema,
    description: nullable({ type: 'string' }),
    parameters: nullable(jsonSchemaSchema),
    strict: nullable({ type: 'boolean' }),
  },
} as const;

export const responsesBodySchema = {
  type: 'object',
  required: ['model', 'input'],
  properties: {
    model: { type: 'string', minLength: 1 },
    input: {
      anyOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', minItems: 1, items: item },
      ],
    },
    instructions: nullable({ type: 'string' }),
    tools: nullable({ type: 'array', maxItems: 128, items: tool }),
    tool_choice: nullable({
      anyOf: [
        { enum: ['auto', 'none', 'required'] },
        {
          type: 'object',
          required: ['type', 'name'],
          properties: { type: { const: 'function' }, name: { type: 'string' } },
        },
      ],
    }),
    parallel_tool_calls: nullable({ type: 'boolean' }),
    text: nullable({
      type: 'object',
      properties: {
        format: nullable({
          type: 'object',
          required: ['type'],
          properties: { type: { enum: ['text', 'json_object', 'json_schema'] }, schema: jsonSchemaSchema },
        }),
      },
    }),
    max_output_tokens: nullable({ type: 'integer', minimum: 1 }),
    temperature: nullable({ type: 'number', minimum: 0, maximum: 2 }),
    top_p: nullable({ type: 'number', minimum: 0, maximum: 1 }),
    stream: nullable({ type: 'boolean' }),
    store: nullable({ type: 'boolean' }),
    previous_response_id: nullable({ type: 'string', minLength: 1 }),
  },
} as const;

export const responseIdParamsSchema = idParamsSchema;
