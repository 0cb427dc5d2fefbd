// The JSON Schema of each workflow type's argument, for every workflow a caller can start by name.
// The public ones (llmRequest, llmBatch, conversation, pipeline) describe what the client sends, so
// the client and the workflow check one description; the internal ones (started by our own workflows
// as children) check what their code cannot run without. Pure data: scripts/generateInputValidators.ts
// compiles it to common/inputValidators.generated.cjs, which workflow code can run.
import { llmRequestSchema } from './requestSchema.js';

const { properties: request } = llmRequestSchema;
const text = { type: 'string' } as const;
const positive = { type: 'number', exclusiveMinimum: 0 } as const;
const modelList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

const summaryOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    taskType: { type: 'string', minLength: 1 },
    model: { type: 'string', minLength: 1 },
    fallbackModels: modelList,
    maxOutputTokens: { type: 'integer', minimum: 1 },
    templateVersion: { type: 'string', minLength: 1 },
  },
} as const;

export const llmBatchInputSchema = {
  type: 'object',
  required: ['requests'],
  additionalProperties: false,
  properties: {
    // By the key the generator registers llmRequest's schema under, so its $defs resolve in it.
    requests: { type: 'array', items: { $ref: 'llmRequest' } },
    concurrency: { type: 'integer', minimum: 1 },
  },
} as const;

/** ConversationOptions, plus the state a run carries into the next on continue-as-new. */
export const conversationInputSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    taskType: { type: 'string', minLength: 1 },
    model: { type: 'string', minLength: 1 },
    fallbackModels: modelList,
    templateId: { type: 'string', minLength: 1 },
    templateVersion: { type: 'string', minLength: 1 },
    instructions: text,
    params: request.params,
    caller: request.caller,
    summary: summaryOptionsSchema,
    windowShare: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    maxRecentTurns: { type: 'integer', minimum: 2 },
    maxTurnsPerRun: { type: 'integer', minimum: 1 },
    idleTimeoutSeconds: positive,
    turnDeadlineSeconds: positive,
    state: {
      type: 'object',
      required: ['summary', 'summarizedTurns', 'turns', 'totalTurns', 'run', 'usage', 'costUsd'],
      properties: { summary: text, turns: { type: 'array' }, run: { type: 'integer', minimum: 1 } },
    },
  },
} as const;

/** The definition itself is checked against the pipeline schema when it loads (a ConfigError). */
export const pipelineInputSchema = {
  type: 'object',
  required: ['input'],
  additionalProperties: false,
  properties: {
    pipeline: { type: 'string', minLength: 1 },
    definition: { type: 'object' },
    input: { type: 'object' },
    budgetUsd: { type: 'number', minimum: 0 },
    deadlineSeconds: positive,
    blobThresholdBytes: { type: 'integer', minimum: 0 },
    caller: request.caller,
  },
} as const;

export const pipelineStepInputSchema = {
  type: 'object',
  required: ['request', 'blobThresholdBytes'],
  properties: { request: { type: 'object' }, blobThresholdBytes: { type: 'integer', minimum: 0 } },
} as const;

export const summarizeContextInputSchema = {
  type: 'object',
  required: ['items'],
  properties: {
    items: request.context,
    previousSummary: text,
    focus: text,
    summary: summaryOptionsSchema,
    windowShare: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    id: text,
    caller: text,
  },
} as const;

export const modelCallInputSchema = {
  type: 'object',
  required: ['requestId', 'taskType', 'planned', 'messages'],
  properties: {
    requestId: { type: 'string', minLength: 1 },
    taskType: { type: 'string', minLength: 1 },
    planned: { type: 'object', required: ['model'], properties: { model: { type: 'object' } } },
    messages: { type: 'array', items: { type: 'object', required: ['role', 'content'] } },
    outputFormat: request.outputFormat,
    maxRepairs: { type: 'integer', minimum: 0 },
    deadlineAt: { type: 'number' },
  },
} as const;

const modelSpecSchema = {
  type: 'object',
  required: ['id', 'provider', 'providerModel', 'pricing'],
  properties: { id: text, provider: text, providerModel: text, pricing: { type: 'object' } },
} as const;

const batchSettingsSchema = {
  type: 'object',
  required: [
    'maxItems',
    'maxWaitMs',
    'pollInitialMs',
    'pollMaxMs',
    'pollBackoff',
    'itemWaitMs',
    'onItemFailure',
    'batchesPerRun',
  ],
  properties: {
    maxItems: { type: 'integer', minimum: 1, maximum: 50_000 },
    maxWaitMs: { type: 'number', minimum: 0 },
    pollInitialMs: positive,
    pollMaxMs: positive,
    pollBackoff: { type: 'number', minimum: 1 },
    itemWaitMs: positive,
    onItemFailure: { enum: ['same-model', 'next-model'] },
    batchesPerRun: { type: 'integer', minimum: 1 },
  },
} as const;

const batchItemSchema = {
  type: 'object',
  required: ['workflowId', 'requestId', 'taskType', 'call'],
  properties: {
    workflowId: { type: 'string', minLength: 1 },
    requestId: { type: 'string', minLength: 1 },
    taskType: { type: 'string', minLength: 1 },
    call: {
      type: 'object',
      required: ['model', 'messages', 'maxOutputTokens'],
      properties: {
        model: modelSpecSchema,
        messages: { type: 'array', minItems: 1 },
        maxOutputTokens: { type: 'integer', minimum: 1 },
      },
    },
  },
} as const;

/** Started by enqueueBatchItem (signal-with-start), one per provider and model. */
export const batchCollectorInputSchema = {
  type: 'object',
  required: ['model', 'settings'],
  properties: {
    model: modelSpecSchema,
    settings: batchSettingsSchema,
    pending: { type: 'array', items: batchItemSchema },
    submitted: { type: 'integer', minimum: 0 },
  },
} as const;

/** Started by a collector: one provider batch of items, each with its custom_id. */
export const providerBatchInputSchema = {
  type: 'object',
  required: ['model', 'settings', 'items'],
  properties: {
    model: modelSpecSchema,
    settings: batchSettingsSchema,
    items: {
      type: 'array',
      minItems: 1,
      items: {
        allOf: [
          batchItemSchema,
          {
            type: 'object',
            required: ['customId'],
            properties: { customId: { type: 'string', pattern: '^[a-zA-Z0-9_-]{1,64}$' } },
          },
        ],
      },
    },
  },
} as const;

/** Every workflow type a caller can start (workflows/index.ts), by its type name. */
/** AgentRunInput: the definition itself is checked by the worker when it loads it (names file and field). */
export const agentInputSchema = {
  type: 'object',
  required: ['input', 'runId'],
  additionalProperties: false,
  properties: {
    agentId: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' },
    definition: { type: 'object' },
    input: { type: 'string', minLength: 1 },
    runId: { type: 'string', pattern: '^[^\\s/]{1,200}(/[^\\s]+)?$' },
    caller: text,
    overrides: {
      type: 'object',
      additionalProperties: false,
      properties: {
        model: { type: 'string', minLength: 1 },
        maxSteps: { type: 'integer', minimum: 1 },
        maxTokens: { type: 'integer', minimum: 1 },
        maxCostUsd: positive,
        deadlineSeconds: positive,
      },
    },
    stream: { type: 'boolean' },
    carried: { type: 'object', required: ['conversationRef', 'stepsDone', 'definition'] },
  },
  anyOf: [{ required: ['agentId'] }, { required: ['definition'] }],
} as const;

export const WORKFLOW_INPUT_SCHEMAS = {
  llmRequest: llmRequestSchema,
  llmBatch: llmBatchInputSchema,
  conversation: conversationInputSchema,
  pipeline: pipelineInputSchema,
  pipelineStep: pipelineStepInputSchema,
  summarizeContext: summarizeContextInputSchema,
  modelCall: modelCallInputSchema,
  agent: agentInputSchema,
  batchCollector: batchCollectorInputSchema,
  providerBatch: providerBatchInputSchema,
} as const;

export type WorkflowTypeName = keyof typeof WORKFLOW_INPUT_SCHEMAS;
