// Ajv's errors as lines a model can act on. They go back to the model in the repair prompt, so
// each says where (JSON Pointer into the answer), what was expected, and what was found.
import type { ErrorObject } from 'ajv';

/** More lines than this rarely help a model and make the repair prompt long. */
export const MAX_ERROR_LINES = 20;
const MAX_PREVIEW_LENGTH = 60;

function preview(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > MAX_PREVIEW_LENGTH ? `${text.slice(0, MAX_PREVIEW_LENGTH - 1)}…` : text;
}

/** Allowed values as a reader writes them: bare strings, JSON for anything else. */
function listValues(values: unknown): string {
  if (!Array.isArray(values)) return preview(values);
  return values.map((value) => (typeof value === 'string' ? value : preview(value))).join(', ');
}

function describe(error: ErrorObject): string {
  const path = error.instancePath || '(root)';
  const got = 'data' in error ? ` (got ${preview(error.data)})` : '';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'enum':
      return `${path}: must be equal to one of the allowed values (${listValues(params.allowedValues)})${got}`;
    case 'const':
      return `${path}: must be equal to ${preview(params.allowedValue)}${got}`;
    case 'type':
    case 'format':
    case 'pattern':
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minLength':
    case 'maxLength':
    case 'multipleOf':
      return `${path}: ${error.message}${got}`;
    case 'additionalProperties':
      return `${path}: must NOT have the additional property "${String(params.additionalProperty)}"`;
    case 'unevaluatedProperties':
      return `${path}: must NOT have the unevaluated property "${String(params.unevaluatedProperty)}"`;
    default:
      return `${path}: ${error.message ?? error.keyword}`;
  }
}

/** One readable line per error (duplicates removed, at most MAX_ERROR_LINES plus a count of the rest). */
export function formatSchemaErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  const lines = [...new Set((errors ?? []).map(describe))];
  if (lines.length <= MAX_ERROR_LINES) return lines;
  return [...lines.slice(0, MAX_ERROR_LINES), `…and ${lines.length - MAX_ERROR_LINES} more errors`];
}
