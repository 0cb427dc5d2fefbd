// The pipeline's own failures, typed like every orchestrator error: an ApplicationFailure whose
// `type` is the class name, so callers branch on `failureType(error)`. (BudgetExceededError and
// ConfigError come from common/errors.ts.)
import { type ErrorDetails, OrchestratorError } from '../errors.js';

type Options = { details?: ErrorDetails; cause?: Error };

function definePipelineError(type: string) {
  return class extends OrchestratorError {
    static readonly type = type;
    constructor(message: string, options: Options = {}) {
      super(type, message, { retryable: false, ...options });
    }
  };
}

/** A step failed for good under the `fail` policy; details name the step (and item index). */
export class PipelineStepFailedError extends definePipelineError('PipelineStepFailedError') {}
/** An approval step was rejected, by a person or by its timeout's default. */
export class ApprovalRejectedError extends definePipelineError('ApprovalRejectedError') {}
/** The pipeline's deadline passed before it finished. */
export class PipelineDeadlineExceededError extends definePipelineError('PipelineDeadlineExceededError') {}
/** A forEach step's items depend on each other in a circle. */
export class DependencyCycleError extends definePipelineError('DependencyCycleError') {}
/** A reference found nothing (e.g. `${item.titel}`), or a forEach's items are not an array. */
export class PipelineReferenceError extends definePipelineError('PipelineReferenceError') {}
/** A blob reference names nothing in the blob store (expired, or another store). */
export class BlobNotFoundError extends definePipelineError('BlobNotFoundError') {}
