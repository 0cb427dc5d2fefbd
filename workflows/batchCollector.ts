// batchCollector: one long-running workflow per provider and model that gathers non-urgent requests
// (signalled by enqueueBatchItem) and starts a providerBatch child when `maxItems` are waiting or the
// oldest has waited `maxWaitMs`. The children outlive it (abandoned), so it continues as new freely.
// One collector rather than one batch per llmBatch: requests from any caller and any door share a
// batch, so batches fill up and the provider's discount applies to single requests too.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  ParentClosePolicy,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { BatchCollectorInput } from '../activities/batches.js';
import type { BatchItem, SubmittedItem } from '../common/batches.js';
import { checkWorkflowInput } from '../common/workflowInput.js';
import { addBatchItem, type CollectorStatus, collectorStatusQuery } from './batchDefinitions.js';
import { providerBatch } from './providerBatch.js';

export async function batchCollector(input: BatchCollectorInput): Promise<void> {
  checkWorkflowInput('batchCollector', input);
  const { model, settings } = input;
  const pending: BatchItem[] = [...(input.pending ?? [])];
  // An enqueue retried after its signal landed must not put the request in twice.
  const seen = new Set(pending.map((item) => item.workflowId));
  const status: CollectorStatus = {
    model: model.id,
    provider: model.provider,
    pending: pending.length,
    batchesSubmitted: input.submitted ?? 0,
    itemsSubmitted: 0,
    recentBatches: [],
  };
  setHandler(addBatchItem, (item) => {
    if (seen.has(item.workflowId)) return;
    seen.add(item.workflowId);
    pending.push({ ...item, queuedAt: Date.now() });
  });
  setHandler(collectorStatusQuery, () => ({
    ...status,
    pending: pending.length,
    ...(pending[0]?.queuedAt !== undefined ? { oldestQueuedAt: pending[0].queuedAt } : {}),
  }));

  for (let run = 0; ; ) {
    await condition(() => pending.length > 0);
    const oldest = pending[0]?.queuedAt ?? Date.now();
    const waitMs = oldest + settings.maxWaitMs - Date.now();
    if (pending.length < settings.maxItems && waitMs > 0)
      await condition(() => pending.length >= settings.maxItems, waitMs);
    const items: SubmittedItem[] = pending
      .splice(0, settings.maxItems)
      .map((item, index) => ({ ...item, customId: `item-${index}` }));
    status.batchesSubmitted++;
    const workflowId = `${workflowInfo().workflowId}/batch-${status.batchesSubmitted}`;
    await startChild(providerBatch, {
      workflowId,
      args: [{ model, settings, items }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `${items.length} ${model.id} requests through ${model.provider}'s Batch API`,
    });
    status.itemsSubmitted += items.length;
    status.recentBatches = [...status.recentBatches, workflowId].slice(-10);
    run++;
    if (run >= settings.batchesPerRun || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof batchCollector>({
        model,
        settings,
        pending,
        submitted: status.batchesSubmitted,
      });
    }
  }
}
