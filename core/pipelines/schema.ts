// The JSON Schema a pipeline definition is checked against (a YAML file in pipelines/ or a definition
// passed inline), and ajv's errors turned into problems that name the field at fault.
import { Ajv, type ErrorObject } from 'ajv';
import type { DefinitionProblem } from '../../common/pipelines/plan.js';
import type { PipelineDefinition } from '../../common/pipelines/types.js';
import { describeFieldError, fieldName } from '../schemaErrors.js';

const NAME_PATTERN = '^[a-z0-9][a-z0-9_-]*$';
const STEP_NAME = { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]*$' };
const VARIABLE_NAME = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' };
const TEMPLATE_REF = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*(@[0-9]+(\\.[0-9]+)*)?$' };
const TEXT = { type: 'string', minLength: 1 };
const POSITIVE = { type: 'number', exclusiveMinimum: 0 };
const STEP_LIST = { type: 'array', items: STEP_NAME, uniqueItems: true };

const failurePolicy = {
  anyOf: [
    { enum: ['fail', 'skip'] },
    { type: 'object', required: ['fallback'], additionalProperties: false, properties: { fallback: {} } },
  ],
};

const forEach = {
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: {
    items: TEXT,
    concurrency: { type: 'integer', minimum: 1, maximum: 100 },
    order: {
      type: 'object',
      required: ['dependencies'],
      additionalProperties: false,
      properties: {
        dependencies: TEXT,
        key: TEXT,
        from: TEXT,
        to: TEXT,
        unknown: { enum: ['ignore', 'fail'] },
      },
    },
  },
};

const requestStep = {
  type: 'object',
  required: ['name', 'taskType', 'template'],
  additionalProperties: false,
  properties: {
    name: STEP_NAME,
    description: { type: 'string' },
    needs: STEP_LIST,
    taskType: TEXT,
    template: TEMPLATE_REF,
    variables: { type: 'object', propertyNames: VARIABLE_NAME },
    outputFormat: { enum: ['text', 'json', 'code', 'markdown'] },
    schema: { type: 'object' },
    model: TEXT,
    fallbackModels: { type: 'array', items: TEXT },
    params: {
      type: 'object',
      additionalProperties: false,
      properties: {
        temperature: { type: 'number', minimum: 0, maximum: 2 },
        topP: { type: 'number', minimum: 0, maximum: 1 },
        maxOutputTokens: { type: 'integer', minimum: 1 },
        stop: { type: 'array', items: { type: 'string' } },
      },
    },
    criteria: {
      type: 'object',
      additionalProperties: false,
      properties: {
        requiredCapabilities: { type: 'array', items: TEXT },
        maxCostUsd: POSITIVE,
        maxLatencyMs: POSITIVE,
        preferredProvider: TEXT,
      },
    },
    maxRepairs: { type: 'integer', minimum: 0 },
    deadlineSeconds: POSITIVE,
    forEach,
    onFailure: failurePolicy,
  },
};

const approvalStep = {
  type: 'object',
  required: ['name', 'approval'],
  additionalProperties: false,
  properties: {
    name: STEP_NAME,
    description: { type: 'string' },
    needs: STEP_LIST,
    approval: {
      type: 'object',
      required: ['timeoutSeconds', 'default'],
      additionalProperties: false,
      properties: {
        message: { type: 'string' },
        timeoutSeconds: POSITIVE,
        default: { enum: ['approve', 'reject'] },
      },
    },
  },
};

const agentStep = {
  type: 'object',
  required: ['name', 'agent', 'input'],
  additionalProperties: false,
  properties: {
    name: STEP_NAME,
    description: { type: 'string' },
    needs: STEP_LIST,
    agent: { type: 'string', pattern: NAME_PATTERN },
    input: TEXT,
    model: TEXT,
    maxSteps: { type: 'integer', minimum: 1 },
    maxCostUsd: POSITIVE,
    deadlineSeconds: POSITIVE,
    onFailure: failurePolicy,
  },
};

export const pipelineSchema = {
  $id: 'https://llm-orchestrator/schemas/pipeline.json',
  type: 'object',
  required: ['name', 'steps'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: NAME_PATTERN },
    description: { type: 'string' },
    requiredInputs: { type: 'array', items: VARIABLE_NAME, uniqueItems: true },
    optionalInputs: { type: 'object', propertyNames: VARIABLE_NAME },
    budgetUsd: POSITIVE,
    deadlineSeconds: POSITIVE,
    // A step with `approval` is an approval step, one with `agent` an agent step; anything else is a
    // request step.
    steps: {
      type: 'array',
      minItems: 1,
      items: {
        if: { type: 'object', required: ['approval'] },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else, not a promise
        then: approvalStep,
        else: {
          if: { type: 'object', required: ['agent'] },
          // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else, not a promise
          then: agentStep,
          else: requestStep,
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, logger: false });
const validate = ajv.compile<PipelineDefinition>(pipelineSchema);

/** Checks a parsed definition against the schema. */
export function checkPipelineShape(
  data: unknown,
): { ok: true; value: PipelineDefinition } | { ok: false; problems: DefinitionProblem[] } {
  if (validate(data)) return { ok: true, value: data };
  const errors = (validate.errors ?? []).filter(
    // `if` and `propertyNames` repeat what the errors next to them say.
    (e) => e.keyword !== 'if' && e.keyword !== 'propertyNames',
  );
  return { ok: false, problems: dedupe(errors.map(describeError)) };
}

function describeError(error: ErrorObject): DefinitionProblem {
  const at = fieldName(error.instancePath);
  if (error.keyword === 'anyOf' && at.endsWith('onFailure')) {
    return { field: at, message: `${at} must be "fail", "skip" or { fallback: <value> }` };
  }
  const described = describeFieldError(error, {
    document: 'the definition',
    invalidName: (name) => `"${name}" is not a valid name`,
  });
  return { field: described.field ?? 'the definition', message: described.message };
}

function dedupe(problems: DefinitionProblem[]): DefinitionProblem[] {
  const seen = new Set<string>();
  // anyOf reports each branch's complaint too; the summary above says it better.
  const summarized = new Set(problems.filter((p) => p.message.includes('{ fallback')).map((p) => p.field));
  return problems.filter((p) => {
    if (summarized.has(p.field) && !p.message.includes('{ fallback')) return false;
    if (summarized.has(p.field.replace(/\.fallback$/, '')) && p.field.endsWith('.fallback')) return false;
    const key = `${p.field}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
