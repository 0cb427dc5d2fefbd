// Checks a request's shape at the edge, before anything starts, so a malformed request gets a typed
// InvalidRequestError that says which field is wrong instead of a failed workflow.
// The schema check is the one the llmRequest workflow runs on its input (common/workflowInput.ts),
// compiled ahead of time: nothing to compile when a CLI or a service starts.
import { Ajv } from 'ajv';
import { InvalidRequestError } from '../common/errors.js';
import type { LlmRequest } from '../common/request.js';
import { workflowInputProblems } from '../common/workflowInput.js';
import { readMaxRequestBytes } from '../config/env.js';

// Callers' tool schemas use keywords and formats of their own: compile them leniently.
const toolSchemas = new Ajv({ strict: false, validateFormats: false });

/**
 * Temporal refuses payloads over 2 MB; stay well under it so the request, its rendered prompt and
 * its history fit. Large context belongs in the claim check (codec/) or behind a reference.
 */
export const MAX_REQUEST_BYTES: number = readMaxRequestBytes();
/** Deeper JSON than any real request needs; deeper still breaks serialisers downstream. */
export const MAX_JSON_DEPTH = 64;

/** The first value that no step downstream can carry: a string that is not valid UTF-16, or nesting too deep. */
function unsendable(value: unknown, path: string, depth: number): string | undefined {
  if (depth > MAX_JSON_DEPTH) return `${path || '/'} is nested more than ${MAX_JSON_DEPTH} levels deep`;
  if (typeof value === 'string') {
    // With the u flag only unpaired surrogates match: well-formed pairs are one code point.
    return !/\p{Surrogate}/u.test(value)
      ? undefined
      : `${path || '/'} is not valid Unicode (a lone surrogate): send UTF-8 text`;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const problem = unsendable(child, `${path}/${key}`, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** Each tool's parameters must compile as a JSON Schema: a provider would refuse it later, less clearly. */
function toolSchemaProblems(request: LlmRequest): string[] {
  return (request.tools ?? []).flatMap((tool, i) => {
    try {
      toolSchemas.compile(tool.parameters);
      return [];
    } catch (error) {
      return [`tools[${i}].parameters is not a valid JSON Schema: ${(error as Error).message}`];
    }
  });
}

/** Options the schema allows one by one that cannot work together. */
function conflictProblems(request: LlmRequest): string[] {
  return request.stream && request.urgency === 'batch'
    ? [
        "stream cannot be used with urgency 'batch': a batched answer arrives whole, when the provider's batch is done; drop stream, or send urgency 'now' to stream",
      ]
    : [];
}

/** The whole request must fit Temporal's payload limit with room for its prompt and history. */
function checkSize(request: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(request) ?? '');
  if (bytes > MAX_REQUEST_BYTES) {
    throw new InvalidRequestError(
      `invalid request: ${bytes} bytes is over the ${MAX_REQUEST_BYTES}-byte limit (Temporal payloads stop at 2 MB): pass large context by reference, or enable the claim check (CLAIM_CHECK_THRESHOLD_BYTES) and raise LLM_MAX_REQUEST_BYTES`,
      { details: { bytes, limit: MAX_REQUEST_BYTES } },
    );
  }
}

// Shape first, then meaning, then size: a problem with a field is named even in an oversized request.
export function validateRequest(request: unknown): asserts request is LlmRequest {
  const problem = unsendable(request, '', 0);
  if (problem)
    throw new InvalidRequestError(`invalid request: ${problem}`, { details: { problems: [problem] } });
  // The shape check is the one the llmRequest workflow runs on its input, compiled ahead of time.
  const shape = workflowInputProblems('llmRequest', request);
  const problems = shape.length
    ? shape
    : [...toolSchemaProblems(request as LlmRequest), ...conflictProblems(request as LlmRequest)];
  if (problems.length === 0) return checkSize(request);
  throw new InvalidRequestError(`invalid request: ${problems.join('; ')}`, { details: { problems } });
}
