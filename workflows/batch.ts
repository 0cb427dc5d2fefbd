// llmBatch: many requests of one kind processed together as one batch workflow, each a child
// llmRequest (its id is the request's id, so a request is still idempotent on its own), with a
// bound on how many run at once. One failed request does not fail the batch: its error is listed.
import { executeChild, isCancellation, workflowInfo } from '@temporalio/workflow';
import { rootFailure } from '../common/errors.js';
import type { LlmRequest, LlmResult } from '../common/request.js';
import { checkWorkflowInput } from '../common/workflowInput.js';
import { llmRequest } from './llmRequest.js';

export interface BatchInput {
  requests: LlmRequest[];
  /** How many requests run at once; default 8. */
  concurrency?: number;
}

export type BatchItem =
  | { requestId: string; ok: true; result: LlmResult }
  | { requestId: string; ok: false; error: { type: string; message: string } };

export interface BatchResult {
  batchId: string;
  items: BatchItem[];
  succeeded: number;
  failed: number;
  totalCostUsd: number;
  totalTokens: number;
}

export async function llmBatch(input: BatchInput): Promise<BatchResult> {
  checkWorkflowInput('llmBatch', input);
  const items: BatchItem[] = new Array(input.requests.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < input.requests.length) {
      const index = next++;
      const request = input.requests[index] as LlmRequest;
      try {
        const result = await executeChild(llmRequest, { workflowId: request.requestId, args: [request] });
        items[index] = { requestId: request.requestId, ok: true, result };
      } catch (error) {
        if (isCancellation(error)) throw error;
        const root = rootFailure(error);
        items[index] = {
          requestId: request.requestId,
          ok: false,
          error: { type: root?.type ?? 'Error', message: root?.message ?? String(error) },
        };
      }
    }
  };
  const lanes = Math.max(1, Math.min(input.concurrency ?? 8, input.requests.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  const results = items.flatMap((item) => (item.ok ? [item.result] : []));
  return {
    batchId: workflowInfo().workflowId,
    items,
    succeeded: results.length,
    failed: items.length - results.length,
    totalCostUsd: results.reduce((sum, r) => sum + r.costUsd, 0),
    totalTokens: results.reduce((sum, r) => sum + r.usage.totalTokens, 0),
  };
}
