// providerBatch: one batch at one provider, from submission to the last answer delivered. Submits
// the items (an activity), polls on durable timers with back-off until the provider says it ended,
// reads the results (recorded in the ledger at the batch price), and signals each request its item's
// outcome. Cancelling it cancels the provider batch; what had been answered is still delivered.
import {
  CancellationScope,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { BatchItemOutcome, BatchSettings, SubmittedItem } from '../common/batches.js';
import type { ModelSpec } from '../common/catalog.js';
import { NON_RETRYABLE_PROVIDER_ERRORS, rootFailure } from '../common/errors.js';
import { checkWorkflowInput } from '../common/workflowInput.js';
import { batchItemDone, type ProviderBatchStatus, providerBatchStatusQuery } from './batchDefinitions.js';
import { LlmBatchId } from './searchAttributes.js';

export interface ProviderBatchInput {
  model: ModelSpec;
  settings: BatchSettings;
  items: SubmittedItem[];
}

export interface ProviderBatchResult {
  providerBatchId?: string;
  succeeded: number;
  failed: number;
  savedUsd: number;
}

// A provider hiccup must not lose a batch that may have cost a day: retry until it answers, except
// for errors no retry cures (a bad key, a refused request).
const { submitBatch, pollBatch, collectBatchResults, cancelBatch } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: [...NON_RETRYABLE_PROVIDER_ERRORS, 'ConfigError'],
  },
});

/** Tells each request its outcome; a request that is gone (cancelled, ended) is skipped. */
async function deliver(items: SubmittedItem[], outcomes: BatchItemOutcome[]): Promise<void> {
  await Promise.all(
    items.map((item, index) =>
      getExternalWorkflowHandle(item.workflowId)
        .signal(batchItemDone, outcomes[index] as BatchItemOutcome)
        .catch(() => undefined),
    ),
  );
}

export async function providerBatch(input: ProviderBatchInput): Promise<ProviderBatchResult> {
  checkWorkflowInput('providerBatch', input);
  const { model, settings, items } = input;
  const status: ProviderBatchStatus = { stage: 'submitting', items: items.length, polls: 0 };
  setHandler(providerBatchStatusQuery, () => status);

  let providerBatchId: string;
  try {
    ({ providerBatchId } = await submitBatch({ model, items }));
  } catch (error) {
    if (isCancellation(error)) throw error;
    // Never submitted: every request falls back to an ordinary call.
    const root = rootFailure(error);
    const failed: BatchItemOutcome = {
      ok: false,
      batchId: '',
      reason: 'errored',
      errorType: root?.type ?? 'BatchSubmitError',
      message: `the batch could not be submitted: ${root?.message ?? String(error)}`,
    };
    status.stage = 'done';
    await deliver(
      items,
      items.map(() => failed),
    );
    return { succeeded: 0, failed: items.length, savedUsd: 0 };
  }
  status.providerBatchId = providerBatchId;
  upsertSearchAttributes([{ key: LlmBatchId, value: providerBatchId }]);
  const ref = { model, providerBatchId };

  const pollToEnd = async (): Promise<void> => {
    let delay = settings.pollInitialMs;
    for (;;) {
      await sleep(delay);
      status.progress = await pollBatch(ref);
      status.polls++;
      if (status.progress.ended) return;
      delay = Math.min(settings.pollMaxMs, Math.round(delay * settings.pollBackoff));
    }
  };
  const finish = async (): Promise<ProviderBatchResult> => {
    status.stage = 'collecting';
    const outcomes = await collectBatchResults({ ...ref, items });
    status.stage = 'delivering';
    await deliver(items, outcomes);
    status.stage = 'done';
    const answered = outcomes.flatMap((o) => (o.ok ? [o] : []));
    return {
      providerBatchId,
      succeeded: answered.length,
      failed: outcomes.length - answered.length,
      savedUsd: answered.reduce((sum, o) => sum + (o.ordinaryCostUsd - o.costUsd), 0),
    };
  };

  status.stage = 'polling';
  try {
    await pollToEnd();
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // Cancelled: stop the provider batch, then hand out what it answered before it stopped.
    await CancellationScope.nonCancellable(async () => {
      status.stage = 'cancelling';
      await cancelBatch(ref);
      await pollToEnd();
      await finish();
    });
    throw error;
  }
  return finish();
}
