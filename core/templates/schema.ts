// The JSON Schema every template file is checked against when it is loaded, and the translation of
// ajv's errors into problems that name the field at fault.
import { Ajv, type ErrorObject } from 'ajv';
import { describeFieldError, type FieldError } from '../schemaErrors.js';
import type { TemplateDefinition } from './types.js';
import { VERSION_PATTERN } from './versions.js';

export const TEMPLATE_ID_PATTERN = '^[a-z0-9][a-z0-9_-]*$';
export const VARIABLE_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

const variableName = { type: 'string', pattern: VARIABLE_NAME_PATTERN };
const stringList = { type: 'array', items: { type: 'string', minLength: 1 } };

export const templateFileSchema = {
  $id: 'https://llm-orchestrator/schemas/prompt-template.json',
  type: 'object',
  additionalProperties: false,
  required: [
    'templateId',
    'version',
    'systemMessage',
    'userMessageTemplate',
    'requiredVariables',
    'optionalVariables',
    'metadata',
  ],
  properties: {
    templateId: { type: 'string', pattern: TEMPLATE_ID_PATTERN },
    version: { type: 'string', pattern: VERSION_PATTERN },
    systemMessage: { type: 'string', minLength: 1 },
    userMessageTemplate: { type: 'string', minLength: 1 },
    requiredVariables: { type: 'array', items: variableName, uniqueItems: true },
    optionalVariables: { type: 'object', propertyNames: variableName },
    metadata: {
      type: 'object',
      required: ['description'],
      properties: {
        description: { type: 'string', minLength: 1 },
        useCases: stringList,
        recommendedModels: stringList,
      },
    },
    outputFormat: { enum: ['text', 'json', 'code', 'markdown'] },
    schema: { type: 'object' },
    variants: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'weight'],
        properties: {
          name: { type: 'string', pattern: VARIABLE_NAME_PATTERN },
          weight: { type: 'number', minimum: 0 },
          systemMessage: { type: 'string', minLength: 1 },
          userMessageTemplate: { type: 'string', minLength: 1 },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, logger: false });
const validateFile = ajv.compile<TemplateDefinition>(templateFileSchema);

export type { FieldError };

/** Checks a parsed YAML document against the template file schema. */
export function checkTemplateShape(
  data: unknown,
): { ok: true; value: TemplateDefinition } | { ok: false; errors: FieldError[] } {
  if (validateFile(data)) return { ok: true, value: data };
  // A bad key under propertyNames yields two errors; the inner one names the key, keep only it.
  const errors = (validateFile.errors ?? []).filter((e) => e.keyword !== 'propertyNames');
  return { ok: false, errors: errors.map(describeError) };
}

function describeError(error: ErrorObject): FieldError {
  return describeFieldError(error, {
    document: 'the file',
    invalidName: (name, at) =>
      `${at} has "${name}", which is not a valid variable name (letters, digits and _, not starting with a digit)`,
  });
}
