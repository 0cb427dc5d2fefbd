// OpenAI's rules for a `strict: true` function schema, checked where OpenAI checks them (a 400).
import { InvalidRequest } from './requestFields.js';

type Schema = Record<string, unknown>;

/**
 * Strict function calling needs every object schema closed (`additionalProperties: false`) and every
 * property required; OpenAI refuses the request otherwise, naming the place in the schema.
 */
export function checkStrictSchema(name: string, schema: unknown, param: string): void {
  const problem = findProblem(schema, []);
  if (!problem) return;
  throw new InvalidRequest(
    `Invalid schema for function '${name}': In context=(${problem.context}), ${problem.message}`,
    param,
    'invalid_function_parameters',
  );
}

interface Problem {
  context: string;
  message: string;
}

function findProblem(schema: unknown, path: string[]): Problem | undefined {
  if (!isSchema(schema)) return undefined;
  const context = path.map((p) => `'${p}'`).join(', ');
  const properties = isSchema(schema.properties) ? schema.properties : undefined;
  if (schema.type === 'object' || properties) {
    if (schema.additionalProperties !== false) {
      return { context, message: "'additionalProperties' is required to be supplied and to be false." };
    }
    const required = Array.isArray(schema.required) ? schema.required : [];
    const missing = Object.keys(properties ?? {}).find((key) => !required.includes(key));
    if (missing !== undefined) {
      return {
        context,
        message: `'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`,
      };
    }
  }
  for (const [key, child] of Object.entries(properties ?? {})) {
    const found = findProblem(child, [...path, 'properties', key]);
    if (found) return found;
  }
  for (const defs of ['$defs', 'definitions']) {
    const group = schema[defs];
    for (const [key, child] of Object.entries(isSchema(group) ? group : {})) {
      const found = findProblem(child, [...path, defs, key]);
      if (found) return found;
    }
  }
  if (schema.items !== undefined) {
    const found = findProblem(schema.items, [...path, 'items']);
    if (found) return found;
  }
  const branches = Array.isArray(schema.anyOf) ? schema.anyOf : [];
  for (const [i, branch] of branches.entries()) {
    const found = findProblem(branch, [...path, 'anyOf', String(i)]);
    if (found) return found;
  }
  return undefined;
}

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
