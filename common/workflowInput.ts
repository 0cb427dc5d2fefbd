// A workflow's first step: check the argument it was started with against its type's schema, and fail
// the workflow at once with a non-retryable InvalidRequestError naming each bad field. Without it a
// malformed argument from any SDK (say `{"nonsense": true}` from Python) throws a TypeError inside
// the workflow task, which Temporal retries for ever. Pure and deterministic: workflow code calls it.
import { InvalidRequestError } from './errors.js';
import validators, { type ValidationProblem } from './inputValidators.generated.cjs';
import type { LlmRequest } from './request.js';
import { requestProblems } from './requestChecks.js';
import type { WorkflowTypeName } from './workflowInputSchemas.js';

/** `/templateId must be string`, `/ must NOT have additional properties (nonsense)`. */
export function describeProblem(problem: ValidationProblem): string {
  const where = problem.instancePath || '/';
  const extra =
    problem.keyword === 'additionalProperties' ? ` (${String(problem.params.additionalProperty)})` : '';
  return `${where} ${problem.message ?? 'is invalid'}${extra}`;
}

/** The problems of `input` as the argument of a `type` workflow; empty when it is well-formed. */
export function workflowInputProblems(type: WorkflowTypeName, input: unknown): string[] {
  const validate = validators[type];
  if (!validate(input)) return (validate.errors ?? []).map(describeProblem);
  // A request's tool conversation and images are checked here too, for callers that skip our client.
  return type === 'llmRequest' ? requestProblems(input as LlmRequest) : [];
}

export function checkWorkflowInput(type: WorkflowTypeName, input: unknown): void {
  const problems = workflowInputProblems(type, input);
  if (!problems.length) return;
  throw new InvalidRequestError(`invalid ${type} input: ${problems.join('; ')}`, {
    details: { workflowType: type, problems },
  });
}
