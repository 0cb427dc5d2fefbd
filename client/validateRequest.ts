// Checks a request's shape at the edge, before anything starts, so a malformed request gets a typed
// InvalidRequestError that says which field is wrong instead of a failed workflow.
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { InvalidRequestError } from '../common/errors.js';
import type { LlmRequest } from '../common/request.js';
import { llmRequestSchema } from '../common/requestSchema.js';

const ajv = new Ajv({ allErrors: true });
addFormats.default(ajv, ['date-time']);
const validate = ajv.compile(llmRequestSchema);

export function validateRequest(request: unknown): asserts request is LlmRequest {
  if (validate(request)) return;
  const problems = (validate.errors ?? []).map((e) => {
    const where = e.instancePath || '/';
    const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
    return `${where} ${e.message ?? 'is invalid'}${extra}`;
  });
  throw new InvalidRequestError(`invalid request: ${problems.join('; ')}`, { details: { problems } });
}
