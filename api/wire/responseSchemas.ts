// What the Responses and Messages doors answer, described for /openapi.json. Documentation only: the
// routes serialise their answers as the handlers build them (serializedAsBefore), so these schemas
// name the fields an SDK reads without constraining the bytes sent.
import { openAiErrorSchema, serializedAsBefore } from '../schemas.js';

const usage = (fields: string[]) =>
  ({ type: 'object', properties: Object.fromEntries(fields.map((f) => [f, { type: 'integer' }])) }) as const;

const responseObjectSchema = {
  type: 'object',
  required: ['id', 'object', 'status', 'output'],
  properties: {
    id: { type: 'string', description: 'resp_…: the id of the request workflow that produced it' },
    object: { const: 'response' },
    created_at: { type: 'integer' },
    status: { enum: ['in_progress', 'completed', 'failed', 'incomplete', 'cancelled'] },
    model: { type: 'string' },
    output: {
      type: 'array',
      description: 'message items with output_text parts, and function_call items',
      items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } },
    },
    usage: usage(['input_tokens', 'output_tokens', 'total_tokens']),
    previous_response_id: { type: ['string', 'null'] },
  },
} as const;

const anthropicErrorSchema = {
  type: 'object',
  required: ['type', 'error'],
  properties: {
    type: { const: 'error' },
    error: {
      type: 'object',
      required: ['type', 'message'],
      properties: { type: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

const messageSchema = {
  type: 'object',
  required: ['id', 'type', 'role', 'content', 'stop_reason', 'usage'],
  properties: {
    id: { type: 'string' },
    type: { const: 'message' },
    role: { const: 'assistant' },
    model: { type: 'string' },
    content: {
      type: 'array',
      description: 'text and tool_use blocks',
      items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } },
    },
    stop_reason: { type: ['string', 'null'] },
    usage: usage(['input_tokens', 'output_tokens']),
  },
} as const;

const streamed = (description: string, schema: object) => ({
  description,
  content: { 'application/json': { schema }, 'text/event-stream': { schema: { type: 'string' } } },
});

const openAiFailures = { '4xx': openAiErrorSchema, '5xx': openAiErrorSchema };
const anthropicFailures = { '4xx': anthropicErrorSchema, '5xx': anthropicErrorSchema };

/** Route options' `response` and serializer for each door route. */
export const responsesCreateDoc = {
  response: {
    200: streamed('a Response, or its server-sent events when `stream` is true', responseObjectSchema),
    ...openAiFailures,
  },
} as const;
export const responsesGetDoc = { response: { 200: responseObjectSchema, ...openAiFailures } } as const;
export const messagesCreateDoc = {
  response: {
    200: streamed('a Message, or its server-sent events when `stream` is true', messageSchema),
    ...anthropicFailures,
  },
} as const;
export const countTokensDoc = {
  response: {
    200: { type: 'object', required: ['input_tokens'], properties: { input_tokens: { type: 'integer' } } },
    ...anthropicFailures,
  },
} as const;
export { serializedAsBefore };
