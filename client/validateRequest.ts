// Checks a request's shape at the edge, before anything starts, so a malformed request gets a typed
// InvalidRequestError that says which field is wrong instead of a failed workflow.
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { InvalidRequestError } from '../common/errors.js';
import type { LlmRequest } from '../common/request.js';

const MAX_REQUEST_ID = 200;

const requestSchema = {
  type: 'object',
  required: ['requestId', 'taskType', 'templateId', 'variables'],
  properties: {
    requestId: { type: 'string', minLength: 1, maxLength: MAX_REQUEST_ID, pattern: '^[^\\s]+$' },
    taskType: { type: 'string', minLength: 1, maxLength: 100 },
    templateId: { type: 'string', minLength: 1, maxLength: 200 },
    templateVersion: { type: 'string', minLength: 1, maxLength: 50 },
    variables: { type: 'object' },
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

const ajv = new Ajv({ allErrors: true });
addFormats.default(ajv, ['date-time']);
const validate = ajv.compile(requestSchema);

export function validateRequest(request: unknown): asserts request is LlmRequest {
  if (validate(request)) return;
  const problems = (validate.errors ?? []).map((e) => {
    const where = e.instancePath || '/';
    const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
    return `${where} ${e.message ?? 'is invalid'}${extra}`;
  });
  throw new InvalidRequestError(`invalid request: ${problems.join('; ')}`, { details: { problems } });
}
