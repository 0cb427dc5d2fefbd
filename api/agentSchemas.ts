// JSON Schemas of the agent routes' bodies and answers (api/routes/agents.ts): Fastify validates the
// bodies against them (a mismatch is a 400 naming the field) and /openapi.json documents them.
import { errorSchema } from './schemas.js';

const RUN_ID = '^[^\\s/]{1,200}$';

/** What a caller may change for one run (common/agents/types.ts AgentOverrides). */
const overridesSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    model: { type: 'string', minLength: 1 },
    maxSteps: { type: 'integer', minimum: 1 },
    maxTokens: { type: 'integer', minimum: 1 },
    maxCostUsd: { type: 'number', exclusiveMinimum: 0 },
    deadlineSeconds: { type: 'number', exclusiveMinimum: 0 },
  },
} as const;

export const startAgentBodySchema = {
  $id: 'AgentRunBody',
  type: 'object',
  additionalProperties: false,
  required: ['agentId', 'input'],
  properties: {
    agentId: { type: 'string', minLength: 1, maxLength: 100, description: 'an agent of GET /v1/agents' },
    input: { type: 'string', minLength: 1, description: 'the task, given to the agent as the user message' },
    runId: {
      type: 'string',
      pattern: RUN_ID,
      description: 'the run id (or send Idempotency-Key); the same id joins the same run',
    },
    overrides: overridesSchema,
    stream: {
      type: 'boolean',
      description:
        'answer with the run as server-sent events (its progress and text deltas), then its result',
    },
  },
} as const;

export const runIdParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: RUN_ID } },
} as const;

export const approvalBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['callId', 'approve'],
  properties: {
    callId: {
      type: 'string',
      minLength: 1,
      description: 'the waiting tool call (pendingApprovals[].callId)',
    },
    approve: { type: 'boolean' },
    reason: { type: 'string', maxLength: 2000 },
  },
} as const;

export const approvalOutcomeSchema = {
  type: 'object',
  required: ['approved', 'timedOut'],
  properties: {
    approved: { type: 'boolean' },
    timedOut: { type: 'boolean' },
    reason: { type: ['string', 'null'] },
    by: { type: ['string', 'null'] },
  },
} as const;

/** A run as `GET /v1/agent-runs/{id}` shows it: its state, the live status, then its result or error. */
export const agentRunViewSchema = {
  type: 'object',
  required: ['runId', 'status'],
  properties: {
    runId: { type: 'string' },
    status: { enum: ['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out'] },
    agent: {
      type: 'object',
      additionalProperties: true,
      description: 'the live status (stage, step, pendingApprovals, usage, costUsd)',
    },
    result: {
      type: 'object',
      additionalProperties: true,
      description: 'output, stopReason, steps with their tool calls, usage, costUsd',
    },
    error: errorSchema.properties.error,
    links: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

export const agentListSchema = {
  type: 'object',
  required: ['agents'],
  properties: {
    agents: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'tools'],
        properties: {
          id: { type: 'string' },
          description: { type: 'string' },
          tools: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;
