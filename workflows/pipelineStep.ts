// pipelineStep: one step (or one forEach item) of a pipeline, as the pipeline's child workflow. It is
// the llmRequest workflow, run in this workflow's own history (same render, plan, modelCall children,
// status query and search attributes), with the blob store on either side: blob references among
// its variables are loaded first, and an output over the threshold is stored and returned as a
// reference. So large values live in the step's history and the blob store, never in the pipeline's.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { PipelineActivities } from '../activities/pipelines.js';
import { PipelineReferenceError } from '../common/pipelines/errors.js';
import { blobRefsIn, jsonBytes, materialize } from '../common/pipelines/expressions.js';
import type { PipelineStepInput, PipelineStepResult } from '../common/pipelines/types.js';
import type { JsonValue } from '../common/request.js';
import { checkWorkflowInput } from '../common/workflowInput.js';
import { llmRequest } from './llmRequest.js';

const { loadBlob, storeBlob } = proxyActivities<PipelineActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['BlobNotFoundError'] },
});

export async function pipelineStep(input: PipelineStepInput): Promise<PipelineStepResult> {
  checkWorkflowInput('pipelineStep', input);
  let request = input.request;
  const refs = blobRefsIn(request.variables);
  if (refs.length > 0) {
    const loaded = new Map<string, JsonValue>();
    await Promise.all(refs.map(async (ref) => loaded.set(ref, await loadBlob({ ref }))));
    let variables: JsonValue;
    try {
      variables = materialize(request.variables, loaded);
    } catch (error) {
      throw new PipelineReferenceError(`step ${workflowInfo().workflowId}: ${(error as Error).message}`);
    }
    request = { ...request, variables: variables as Record<string, JsonValue> };
  }

  const result = await llmRequest(request);
  const outputBytes = jsonBytes(result.output);
  const output =
    outputBytes > input.blobThresholdBytes ? await storeBlob({ value: result.output }) : result.output;
  return {
    workflowId: result.workflowId,
    model: result.model,
    provider: result.provider,
    output,
    outputBytes,
    usage: result.usage,
    costUsd: result.costUsd,
    attempts: result.attempts,
  };
}
