// JSON Schemas of the native API's requests and responses. Fastify validates bodies, query strings and
// params against them (a mismatch is a 400 naming the field) and serializes responses with them.
import { llmRequestSchema } from '../common/requestSchema.js';

/** An LlmRequest as a service posts it: `requestId` optional (or from Idempotency-Key), no `caller` (the key says). */
const { caller: _caller, requestId, ...bodyProperties } = llmRequestSchema.properties;
export const requestBodySchema = {
  ...llmRequestSchema,
  $id: 'LlmRequestBody',
  required: llmRequestSchema.required.filter((field) => field !== 'requestId'),
  properties: {
    ...bodyProperties,
    // Request ids appear in URL paths here, so they may not contain a slash.
    requestId: { ...requestId, pattern: '^[^\\s/]+$' },
  },
} as const;

/** Query strings arrive as text; these are the spellings of a boolean we accept. */
const flag = { type: 'string', enum: ['true', 'false', '1', '0'] } as const;

export const startQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { wait: flag },
} as const;

export const idParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 300 } },
} as const;

export const streamQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { after: { type: 'string', pattern: '^(0|\\d+-\\d+)$' } },
} as const;

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['type', 'message'],
      properties: { type: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
} as const;

const attemptSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    model: { type: 'string' },
    provider: { type: 'string' },
    outcome: { type: 'string' },
    errorType: { type: 'string' },
    error: { type: 'string' },
    durationMs: { type: 'number' },
    try: { type: 'integer' },
  },
} as const;

/** A request as `GET /v1/requests/{id}` shows it. */
export const requestViewSchema = {
  type: 'object',
  required: ['requestId', 'status', 'attempts'],
  properties: {
    requestId: { type: 'string' },
    status: { enum: ['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out'] },
    stage: { type: 'string' },
    currentModel: { type: 'string' },
    result: { type: 'object', additionalProperties: true },
    error: errorSchema.properties.error,
    attempts: { type: 'array', items: attemptSchema },
    links: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

/** A refusal or a failed request: always an `error`, and for a request that ran, its view around it. */
export const outcomeSchema = {
  type: 'object',
  required: ['error'],
  properties: requestViewSchema.properties,
} as const;

export const templateListSchema = {
  type: 'object',
  required: ['templates'],
  properties: {
    templates: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'versions', 'latest', 'description'],
        properties: {
          id: { type: 'string' },
          versions: { type: 'array', items: { type: 'string' } },
          latest: { type: 'string' },
          description: { type: 'string' },
        },
      },
    },
  },
} as const;
