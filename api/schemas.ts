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

// ---- Answers documented for the OpenAPI document (api/openapi.ts) --------------------------------
// Routes that had no response schema get one of these with `serializerCompiler: serializedAsBefore`,
// so the document describes them while the bytes they send stay what JSON.stringify made before.

/** A per-route serializer that ignores the response schema: the answer is serialized as before. */
export const serializedAsBefore =
  () =>
  (data: unknown): string =>
    JSON.stringify(data);

export const healthSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { const: 'ok' } },
} as const;

export const readinessSchema = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { enum: ['ready', 'not ready'] },
    checks: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['ok'],
        properties: { ok: { type: 'boolean' }, error: { type: 'string' } },
      },
    },
  },
} as const;

export const metricsResponse = {
  description: 'Prometheus text exposition format',
  content: { 'text/plain': { schema: { type: 'string' } } },
} as const;

/** Server-sent events: `event: <type>`, `id: <entry id>`, `data: <JSON>`; the last event is the result. */
export const eventStreamResponse = {
  description: 'server-sent events (text/event-stream): the stream of the request, then its result',
  content: { 'text/event-stream': { schema: { type: 'string' } } },
} as const;

/** A template as its file defines it (variables, defaults, variants, messages), with its versions. */
export const templateDefinitionSchema = {
  type: 'object',
  required: ['id', 'version', 'versions'],
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    version: { type: 'string' },
    versions: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const openAiErrorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['message', 'type', 'code'],
      properties: {
        message: { type: 'string' },
        type: { type: 'string' },
        param: { type: ['string', 'null'] },
        code: { type: 'string', description: 'our failure type, e.g. UnknownModelError' },
      },
    },
  },
} as const;

export const modelListSchema = {
  type: 'object',
  required: ['object', 'data'],
  properties: {
    object: { const: 'list' },
    data: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'object', 'owned_by'],
        properties: {
          id: { type: 'string' },
          object: { const: 'model' },
          created: { type: 'integer' },
          owned_by: { type: 'string' },
        },
      },
    },
  },
} as const;

const usageSchema = {
  type: 'object',
  required: ['prompt_tokens', 'completion_tokens', 'total_tokens'],
  properties: {
    prompt_tokens: { type: 'integer' },
    completion_tokens: { type: 'integer' },
    total_tokens: { type: 'integer' },
  },
} as const;

/** OpenAI's `chat.completion` object, as api/openai/format.ts writes it. */
export const chatCompletionSchema = {
  type: 'object',
  required: ['id', 'object', 'created', 'model', 'choices', 'usage'],
  properties: {
    id: { type: 'string', description: 'our request id: GET /v1/requests/{id} shows the same request' },
    object: { const: 'chat.completion' },
    created: { type: 'integer' },
    model: { type: 'string' },
    choices: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'message', 'finish_reason'],
        properties: {
          index: { type: 'integer' },
          message: {
            type: 'object',
            required: ['role', 'content'],
            properties: {
              role: { const: 'assistant' },
              content: { type: 'string' },
              refusal: { type: 'null' },
            },
          },
          logprobs: { type: 'null' },
          finish_reason: { type: 'string' },
        },
      },
    },
    usage: usageSchema,
    system_fingerprint: { type: 'null' },
  },
} as const;

/** The chat completion as JSON, or as `chat.completion.chunk` events when `stream` is true. */
export const chatCompletionResponse = {
  description: 'a chat.completion, or chat.completion.chunk server-sent events when `stream` is true',
  content: {
    'application/json': { schema: chatCompletionSchema },
    'text/event-stream': { schema: { type: 'string' } },
  },
} as const;
