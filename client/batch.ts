// Batches: many requests processed as one `llmBatch` workflow (each request still its own child
// workflow with its own id and history).
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { LlmRequest } from '../common/request.js';
import type { BatchResult, llmBatch } from '../workflows/batch.js';
import { waitThroughBusyServer } from './busyServer.js';
import type { OrchestratorClient } from './client.js';
import { validateRequest } from './validateRequest.js';

export async function processBatch(
  client: OrchestratorClient,
  batchId: string,
  requests: LlmRequest[],
  options: { concurrency?: number } = {},
): Promise<BatchResult> {
  for (const request of requests) validateRequest(request);
  const handle = await client.temporal.workflow.start<typeof llmBatch>('llmBatch', {
    workflowId: batchId,
    taskQueue: client.taskQueue,
    args: [{ requests, ...(options.concurrency ? { concurrency: options.concurrency } : {}) }],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
  });
  return waitThroughBusyServer(() => handle.result());
}
