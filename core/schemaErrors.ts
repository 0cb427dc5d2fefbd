// Turns ajv's errors on a data file (a template, a pipeline) into a field a person recognises and a
// message that says what to change: `steps[1].forEach.items is required`, not `/steps/1/forEach`.
import type { ErrorObject } from 'ajv';

export interface FieldError {
  /** Dotted path with indices (`variants[1].weight`); absent for the document as a whole. */
  field?: string;
  message: string;
}

export function joinField(parent: string, child: string): string {
  return parent ? `${parent}.${child}` : child;
}

/** `/variants/1/weight` -> `variants[1].weight`. */
export function fieldName(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : joinField(acc, part)), '');
}

export interface DescribeOptions {
  /** What to call the document in a message about its root ("the file", "the definition"). */
  document: string;
  /** The message for a property name the schema's `propertyNames` refused. */
  invalidName: (name: string, at: string) => string;
}

export function describeFieldError(error: ErrorObject, options: DescribeOptions): FieldError {
  const at = fieldName(error.instancePath);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    const field = joinField(at, String(params.missingProperty));
    return { field, message: `${field} is required` };
  }
  if (error.keyword === 'additionalProperties') {
    const field = joinField(at, String(params.additionalProperty));
    return { field, message: `${field} is not a known field` };
  }
  if (error.keyword === 'enum') {
    const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
    return { field: at, message: `${at} must be one of ${allowed}` };
  }
  if (error.propertyName !== undefined) {
    return { field: joinField(at, error.propertyName), message: options.invalidName(error.propertyName, at) };
  }
  return {
    ...(at ? { field: at } : {}),
    message: `${at || options.document} ${error.message ?? 'is invalid'}`,
  };
}
