// The JSON Schema of agents/<id>.yaml, and its ajv errors as problems that name the field.
import { Ajv } from 'ajv';
import type { AgentDefinition } from '../../common/agents/types.js';
import { describeFieldError } from '../schemaErrors.js';

const approval = {
  type: 'object',
  required: ['timeoutSeconds', 'default'],
  additionalProperties: false,
  properties: {
    message: { type: 'string' },
    timeoutSeconds: { type: 'number', exclusiveMinimum: 0 },
    default: { enum: ['approve', 'reject'] },
  },
} as const;

const positive = { type: 'number', exclusiveMinimum: 0 } as const;
const count = { type: 'integer', minimum: 1 } as const;

export const agentSchema = {
  type: 'object',
  required: ['id', 'tools'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' },
    description: { type: 'string' },
    instructions: { type: 'string', minLength: 1 },
    templateId: { type: 'string', minLength: 1 },
    templateVersion: { type: 'string' },
    variables: { type: 'object' },
    model: { type: 'string', minLength: 1 },
    fallbackModels: { type: 'array', items: { type: 'string' } },
    taskType: { type: 'string', minLength: 1 },
    params: { type: 'object' },
    tools: {
      type: 'array',
      items: {
        type: 'string',
        pattern: '^(mcp:[A-Za-z0-9_-]+(/[A-Za-z0-9_.-]+)?|agent:[a-z0-9][a-z0-9_-]*|[A-Za-z0-9_-]+)$',
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxSteps: count,
        maxTokens: count,
        maxCostUsd: positive,
        deadlineSeconds: positive,
        toolTimeoutSeconds: positive,
        toolAttempts: count,
      },
    },
    approvals: { type: 'object', additionalProperties: approval },
    onToolError: { enum: ['return', 'fail'] },
    cache: { enum: ['read-write', 'read-only', 'off'] },
  },
} as const;

const ajv = new Ajv({ allErrors: true, logger: false });
const validate = ajv.compile<AgentDefinition>(agentSchema);

/** The problems of a parsed definition, each `field: what to change`; empty when it is valid. */
export function agentProblems(data: unknown): string[] {
  const problems: string[] = [];
  if (!validate(data)) {
    for (const error of validate.errors ?? []) {
      const { field, message } = describeFieldError(error, {
        document: 'the agent',
        invalidName: (name) => `"${name}" is not a valid name`,
      });
      problems.push(field && !message.startsWith(field) ? `${field}: ${message}` : message);
    }
    return [...new Set(problems)];
  }
  if (!data.instructions && !data.templateId) problems.push('instructions or templateId is required');
  if (data.instructions && data.templateId) problems.push('give instructions or templateId, not both');
  return problems;
}
