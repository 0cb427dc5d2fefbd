// The bodies of `POST /v1/messages` and `/v1/messages/count_tokens` as we accept them: the fields we
// read are checked (a mismatch is a 400 naming the field), others (metadata, top_k, …) are ignored;
// what each block type requires is checked in request.ts, naming the block.
import { jsonSchemaSchema, toolNameSchema } from '../wire/schema.js';

const source = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { enum: ['base64', 'url'] },
    media_type: { type: 'string' },
    data: { type: 'string' },
    url: { type: 'string' },
  },
} as const;

const block = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string' },
    text: { type: 'string' },
    source,
    id: { type: 'string', minLength: 1 },
    name: toolNameSchema,
    input: {},
    tool_use_id: { type: 'string', minLength: 1 },
    content: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }] },
    is_error: { type: 'boolean' },
  },
} as const;

const conversationProperties = {
  model: { type: 'string', minLength: 1 },
  messages: {
    type: 'array',
    minItems: 1,
    items: {
      type: 'object',
      required: ['role', 'content'],
      properties: {
        role: { enum: ['user', 'assistant'] },
        content: { anyOf: [{ type: 'string' }, { type: 'array', items: block }] },
      },
    },
  },
  system: {
    anyOf: [
      { type: 'string' },
      {
        type: 'array',
        items: {
          type: 'object',
          required: ['type', 'text'],
          properties: { type: { const: 'text' }, text: { type: 'string' } },
        },
      },
    ],
  },
  tools: {
    type: 'array',
    maxItems: 128,
    items: {
      type: 'object',
      required: ['name', 'input_schema'],
      properties: {
        name: toolNameSchema,
        description: { type: 'string' },
        input_schema: jsonSchemaSchema,
        type: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      },
    },
  },
  tool_choice: {
    type: 'object',
    required: ['type'],
    properties: {
      type: { enum: ['auto', 'any', 'tool', 'none'] },
      name: { type: 'string' },
      disable_parallel_tool_use: { type: 'boolean' },
    },
  },
} as const;

export const messagesBodySchema = {
  type: 'object',
  required: ['model', 'max_tokens', 'messages'],
  properties: {
    ...conversationProperties,
    max_tokens: { type: 'integer', minimum: 1 },
    stop_sequences: { type: 'array', items: { type: 'string' }, maxItems: 4 },
    temperature: { type: 'number', minimum: 0, maximum: 1 },
    top_p: { type: 'number', minimum: 0, maximum: 1 },
    stream: { type: 'boolean' },
  },
} as const;

export const countTokensBodySchema = {
  type: 'object',
  required: ['model', 'messages'],
  properties: conversationProperties,
} as const;
