// The JSON Schema of an LlmRequest, the one description of a well-formed request: the client checks
// requests against it before starting anything, and the HTTP API derives its body schema from it.
// Pure data, so any module may import it.

export const llmRequestSchema = {
  type: 'object',
  required: ['requestId', 'taskType', 'templateId', 'variables'],
  properties: {
    requestId: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\s]+$' },
    taskType: { type: 'string', minLength: 1, maxLength: 100 },
    templateId: { type: 'string', minLength: 1, maxLength: 200 },
    templateVersion: { type: 'string', minLength: 1, maxLength: 50 },
    variables: { type: 'object' },
    messages: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['role', 'content'],
        additionalProperties: false,
        properties: { role: { enum: ['system', 'user', 'assistant'] }, content: { type: 'string' } },
      },
    },
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
    cache: { enum: ['read-write', 'read-only', 'off'] },
  },
  additionalProperties: false,
} as const;
