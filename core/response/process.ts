// From a model's raw answer to the output a caller asked for: run the task's validators, then
// extract by format (JSON, JSON Schema, code, Markdown, text). Failures are InvalidResponseError
// with `details.reasons` and `details.validationErrors`, the material of the repair prompt.
import { InvalidResponseError } from '../../common/errors.js';
import type { JsonSchema, JsonValue, OutputFormat } from '../../common/request.js';
import { type CodeBlock, extractCode } from './code.js';
import { extractJson } from './json.js';
import { processMarkdown } from './markdown.js';
import { regexExtract } from './regex.js';
import { compileSchema } from './schema.js';
import { createDefaultValidators, type ValidatorRegistry } from './validators.js';

export type ProcessedFormat = OutputFormat | 'schema';

export interface ProcessInput {
  text: string;
  taskType: string;
  outputFormat?: OutputFormat;
  schema?: JsonSchema;
  /** For code output: the block in this language is preferred. */
  codeLanguage?: string;
  /** For schema output: read properties from prose when the answer has no valid JSON. */
  allowRegexFallback?: boolean;
  /** Replaces the built-in validators (start from createDefaultValidators() to extend them). */
  validators?: ValidatorRegistry;
}

export interface ProcessedResponse {
  output: JsonValue;
  format: ProcessedFormat;
  /** The output was read from prose by the regex fallback, not parsed from JSON. */
  regexFallback: boolean;
  /** Code output: every fenced block of the answer. */
  codeBlocks?: CodeBlock[];
  /** Code output: the language of the chosen block. */
  codeLanguage?: string;
  /** Accepted with reservations (regex fallback whose values do not all satisfy the schema). */
  warnings?: string[];
}

/** Details every InvalidResponseError from here carries. */
export interface InvalidResponseDetails {
  [key: string]: unknown;
  /** Why the answer was refused, one sentence each. */
  reasons: string[];
  /** JSON Schema errors as `/path: message` lines, when the answer was JSON but not valid. */
  validationErrors: string[];
  format: ProcessedFormat;
}

const defaultValidators = createDefaultValidators();

function invalid(message: string, details: InvalidResponseDetails): InvalidResponseError {
  return new InvalidResponseError(message, { details });
}

/**
 * Code and Markdown formats win over a schema (the seed's precedence); otherwise a schema means
 * validated JSON, even with `outputFormat: 'json'` (where the seed ignored the schema).
 */
export function effectiveFormat(
  outputFormat: OutputFormat | undefined,
  schema: JsonSchema | undefined,
): ProcessedFormat {
  if (outputFormat === 'code' || outputFormat === 'markdown') return outputFormat;
  if (schema) return 'schema';
  return outputFormat ?? 'text';
}

function requiredProperties(schema: JsonSchema): string[] {
  return Array.isArray(schema.required) ? schema.required.filter((name) => typeof name === 'string') : [];
}

/** Reads properties from prose; accepted only when they satisfy the schema or at least its `required`. */
function regexFallback(
  text: string,
  schema: JsonSchema,
  reasons: string[],
  validationErrors: string[],
): ProcessedResponse {
  const extracted: Record<string, string | JsonValue> = regexExtract(text, schema);
  const found = Object.keys(extracted);
  const missing = requiredProperties(schema).filter((name) => !Object.hasOwn(extracted, name));
  if (found.length === 0 || missing.length > 0) {
    const why =
      found.length === 0
        ? 'the regex fallback found none of the schema properties in the answer'
        : `the regex fallback did not find the required properties ${missing.join(', ')}`;
    throw invalid(`Answer does not match the schema: ${[...reasons, why].join('; ')}`, {
      reasons: [...reasons, why],
      validationErrors,
      format: 'schema',
    });
  }
  // Prose gives strings; let the schema's types turn "3" into 3 where it asks for a number.
  const remaining = compileSchema(schema, { coerceTypes: true }).validate(extracted);
  const response: ProcessedResponse = { output: extracted, format: 'schema', regexFallback: true };
  if (remaining.length > 0) response.warnings = remaining;
  return response;
}

function processSchema(text: string, schema: JsonSchema, allowRegexFallback: boolean): ProcessedResponse {
  const compiled = compileSchema(schema);
  let reasons: string[];
  let validationErrors: string[] = [];
  try {
    const data = extractJson(text);
    validationErrors = compiled.validate(data);
    if (validationErrors.length === 0) return { output: data, format: 'schema', regexFallback: false };
    reasons = [`the JSON does not match the schema (${validationErrors.length} error(s))`];
  } catch (error) {
    if (!(error instanceof InvalidResponseError)) throw error;
    reasons = (error.errorDetails.reasons as string[] | undefined) ?? [error.message];
  }
  if (allowRegexFallback) return regexFallback(text, schema, reasons, validationErrors);
  const summary = validationErrors.length > 0 ? validationErrors.join('; ') : reasons.join('; ');
  throw invalid(`Answer does not match the schema: ${summary}`, {
    reasons,
    validationErrors,
    format: 'schema',
  });
}

function withFormat<T>(format: ProcessedFormat, extract: () => T): T {
  try {
    return extract();
  } catch (error) {
    if (error instanceof InvalidResponseError) {
      throw invalid(error.message, {
        reasons: [error.message],
        validationErrors: [],
        ...error.errorDetails,
        format,
      });
    }
    throw error;
  }
}

export function processResponse(input: ProcessInput): ProcessedResponse {
  const { text, taskType, outputFormat, schema, codeLanguage, allowRegexFallback = false } = input;
  const format = effectiveFormat(outputFormat, schema);
  const checked = (input.validators ?? defaultValidators).validate(taskType, text);
  if (!checked.valid) {
    throw invalid(`Answer failed the ${taskType} checks: ${checked.issues.join('; ')}`, {
      reasons: checked.issues,
      validationErrors: [],
      format,
    });
  }
  switch (format) {
    case 'schema':
      return processSchema(text, schema ?? {}, allowRegexFallback);
    case 'json':
      return { output: withFormat(format, () => extractJson(text)), format, regexFallback: false };
    case 'code': {
      const { code, language, blocks } = extractCode(text, codeLanguage);
      const response: ProcessedResponse = { output: code, format, regexFallback: false, codeBlocks: blocks };
      if (language !== undefined) response.codeLanguage = language;
      return response;
    }
    case 'markdown':
      return { output: processMarkdown(text), format, regexFallback: false };
    default:
      return { output: text, format: 'text', regexFallback: false };
  }
}
