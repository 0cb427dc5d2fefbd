// The follow-up message that asks the same model to fix an answer that failed processing: what was
// wrong (the errors processResponse reported), what is expected, and nothing else to say.
import { rootFailure } from '../../common/errors.js';
import type { JsonSchema, OutputFormat } from '../../common/request.js';
import { effectiveFormat, type ProcessedFormat } from './process.js';
import { MAX_ERROR_LINES } from './schema-errors.js';

function instruction(requested: ProcessedFormat, schema: JsonSchema | undefined): string {
  // Callers may pass the request's outputFormat ('json') with its schema: the schema still applies.
  const format = requested === 'schema' ? requested : effectiveFormat(requested as OutputFormat, schema);
  switch (format) {
    case 'schema':
      return [
        'Answer again with only the corrected JSON: no explanation and no Markdown code fence.',
        'It must be valid JSON (double-quoted keys and strings, no trailing commas, no comments) that matches this JSON Schema:',
        JSON.stringify(schema ?? {}),
      ].join('\n');
    case 'json':
      return 'Answer again with only the corrected JSON (one object or array): no explanation and no Markdown code fence.';
    case 'code':
      return 'Answer again with the complete corrected code in a single fenced code block (```language ... ```).';
    default:
      return 'Answer again, fixing the problems above.';
  }
}

/**
 * The user message for a repair round. Deterministic for the same inputs, so a replayed workflow
 * sends byte-identical prompts.
 */
export function repairPrompt(
  errors: readonly string[],
  format: ProcessedFormat,
  schema?: JsonSchema,
): string {
  const unique = [...new Set(errors.map((error) => error.trim()).filter((error) => error !== ''))];
  const listed =
    unique.length > MAX_ERROR_LINES
      ? [...unique.slice(0, MAX_ERROR_LINES), `…and ${unique.length - MAX_ERROR_LINES} more`]
      : unique;
  const problems = listed.length > 0 ? listed : ['the answer could not be processed'];
  return [
    'Your previous answer could not be used:',
    ...problems.map((problem) => `- ${problem}`),
    '',
    instruction(format, schema),
  ].join('\n');
}

/**
 * The errors to put in a repair prompt, from an InvalidResponseError thrown by processResponse
 * (also after it crossed Temporal as an ActivityFailure): schema errors when there are any, since
 * they are the most precise, else the reasons, else the message.
 */
export function repairErrors(error: unknown): string[] {
  const failure = rootFailure(error);
  const details = (failure?.details?.[0] ?? {}) as { reasons?: unknown; validationErrors?: unknown };
  const strings = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  const validationErrors = strings(details.validationErrors);
  if (validationErrors.length > 0) return validationErrors;
  const reasons = strings(details.reasons);
  if (reasons.length > 0) return reasons;
  const message = failure?.message ?? (error instanceof Error ? error.message : undefined);
  return message ? [message] : [];
}
