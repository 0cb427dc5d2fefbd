// Checks a request's shape at the edge, before anything starts, so a malformed request gets a typed
// InvalidRequestError that says which field is wrong instead of a failed workflow.
// The schema check is the one the llmRequest workflow runs on its input (common/workflowInput.ts),
// compiled ahead of time: nothing to compile when a CLI or a service starts.
import { InvalidRequestError } from '../common/errors.js';
import type { LlmRequest } from '../common/request.js';
import { workflowInputProblems } from '../common/workflowInput.js';

/**
 * Temporal refuses payloads over 2 MB; stay well under it so the request, its rendered prompt and
 * its history fit. Large context belongs in the claim check (codec/) or behind a reference.
 */
export const MAX_REQUEST_BYTES = Number(process.env.LLM_MAX_REQUEST_BYTES ?? 1_500_000);
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

export function validateRequest(request: unknown): asserts request is LlmRequest {
  const problem = unsendable(request, '', 0);
  if (problem)
    throw new InvalidRequestError(`invalid request: ${problem}`, { details: { problems: [problem] } });
  const bytes = Buffer.byteLength(JSON.stringify(request) ?? '');
  if (bytes > MAX_REQUEST_BYTES) {
    throw new InvalidRequestError(
      `invalid request: ${bytes} bytes is over the ${MAX_REQUEST_BYTES}-byte limit (Temporal payloads stop at 2 MB): pass large context by reference, or enable the claim check (CLAIM_CHECK_THRESHOLD_BYTES) and raise LLM_MAX_REQUEST_BYTES`,
      { details: { bytes, limit: MAX_REQUEST_BYTES } },
    );
  }
  const problems = workflowInputProblems('llmRequest', request);
  if (!problems.length) return;
  throw new InvalidRequestError(`invalid request: ${problems.join('; ')}`, { details: { problems } });
}
