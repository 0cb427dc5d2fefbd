// The JSON Schema of an LlmRequest, the one description of a well-formed request: the client checks
// requests against it before starting anything, and the HTTP API derives its body schema from it.
// Pure data, so any module may import it.
import { IMAGE_MEDIA_TYPES } from './request.js';

// Sub-schemas are inlined (no $defs): the HTTP doors embed this schema in their bodies and in the
// OpenAPI document, where a local `#/$defs/...` pointer would resolve against the wrong root.
export const toolNameSchema = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;

const contentPartSchema = {
  type: 'object',
  required: ['type'],
  properties: { type: { enum: ['text', 'image'] } },
  oneOf: [
    {
      required: ['text'],
      additionalProperties: false,
      properties: { type: { const: 'text' }, text: { type: 'string' } },
    },
    {
      required: ['source'],
      additionalProperties: false,
      properties: {
        type: { const: 'image' },
        detail: { enum: ['low', 'high', 'auto'] },
        source: {
          oneOf: [
            {
              type: 'object',
              required: ['url'],
              additionalProperties: false,
              properties: { url: { type: 'string', pattern: '^(https?|data):' } },
            },
            {
              type: 'object',
              required: ['mediaType', 'data'],
              additionalProperties: false,
              properties: {
                mediaType: { enum: [...IMAGE_MEDIA_TYPES] },
                data: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9+/]+={0,2}$' },
              },
            },
          ],
        },
      },
    },
  ],
} as const;

const toolCallSchema = {
  type: 'object',
  required: ['id', 'name', 'arguments'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1 },
    name: toolNameSchema,
    arguments: {},
    rawArguments: { type: 'string' },
  },
} as const;

const messageSchema = {
  type: 'object',
  required: ['role', 'content'],
  additionalProperties: false,
  properties: {
    role: { enum: ['system', 'user', 'assistant', 'tool'] },
    content: { anyOf: [{ type: 'string' }, { type: 'array', items: contentPartSchema }] },
    toolCalls: { type: 'array', items: toolCallSchema },
    toolCallId: { type: 'string', minLength: 1 },
    isError: { type: 'boolean' },
  },
} as const;

const toolSchema = {
  type: 'object',
  required: ['name', 'parameters'],
  additionalProperties: false,
  properties: {
    name: toolNameSchema,
    description: { type: 'string', maxLength: 10_000 },
    parameters: { type: 'object' },
    strict: { type: 'boolean' },
  },
} as const;

export const llmRequestSchema = {
  type: 'object',
  required: ['requestId', 'taskType', 'templateId', 'variables'],
  properties: {
    requestId: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\s]+$' },
    taskType: { type: 'string', minLength: 1, maxLength: 100 },
    templateId: { type: 'string', minLength: 1, maxLength: 200 },
    templateVersion: { type: 'string', minLength: 1, maxLength: 50 },
    variables: { type: 'object' },
    messages: { type: 'array', minItems: 1, items: messageSchema },
    tools: { type: 'array', maxItems: 128, items: toolSchema },
    toolChoice: {
      anyOf: [
        { enum: ['auto', 'none', 'required'] },
        {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: toolNameSchema },
        },
      ],
    },
    parallelToolCalls: { type: 'boolean' },
    outputFormat: { enum: ['text', 'json', 'code', 'markdown'] },
    schema: { type: 'object' },
    model: { type: 'string', minLength: 1 },
    fallbackModels: { type: 'array', items: { type: 'string', minLength: 1 } },
    params: {
      type: 'object',
      additionalProperties: false,
      properties: {
        temperature: { type: 'number', minimum: 0, maximum: 2 },
        topP: { type: 'number', minimum: 0, maximum: 1 },
        maxOutputTokens: { type: 'integer', minimum: 1 },
        stop: { type: 'array', items: { type: 'string' }, maxItems: 4 },
      },
    },
    context: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'content', 'relevanceScore', 'timestamp'],
        properties: {
          id: { type: 'string' },
          content: { type: 'string' },
          relevanceScore: { type: 'number' },
          timestamp: { type: 'string' },
          source: { type: 'string' },
          pinned: { type: 'boolean' },
        },
      },
    },
    pruning: { type: 'object' },
    criteria: { type: 'object' },
    deadlineSeconds: { type: 'number', exclusiveMinimum: 0 },
    waitForCooldownSeconds: { type: 'number', minimum: 0 },
    maxRepairs: { type: 'integer', minimum: 0, maximum: 10 },
    allowRegexFallback: { type: 'boolean' },
    stream: { type: 'boolean' },
    notBefore: { type: 'string', format: 'date-time' },
    offPeak: {
      type: 'object',
      required: ['startHourUtc', 'endHourUtc'],
      additionalProperties: false,
      properties: {
        startHourUtc: { type: 'integer', minimum: 0, maximum: 23 },
        endHourUtc: { type: 'integer', minimum: 0, maximum: 23 },
      },
    },
    caller: { type: 'string', maxLength: 200 },
    urgency: { enum: ['now', 'batch'] },
    cache: { enum: ['read-write', 'read-only', 'off'] },
  },
  additionalProperties: false,
} as const;
