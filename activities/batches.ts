// The Batch API steps, one activity each: queue an item with its collector (signal-with-start),
// submit a provider batch, poll it, read its results (recording each answered item in the usage
// ledger at the batch price, once), and cancel it. Provider specifics stay behind the adapters.
import { Context } from '@temporalio/activity';
import {
  ADD_BATCH_ITEM_SIGNAL,
  BATCH_COLLECTOR_WORKFLOW,
  type BatchItem,
  type BatchItemOutcome,
  type BatchProgress,
  type BatchSettings,
  collectorWorkflowId,
  type SubmittedItem,
} from '../common/batches.js';
import { COST_KINDS, costBreakdown, type ModelSpec } from '../common/catalog.js';
import { ConfigError } from '../common/errors.js';
import { batchLines, itemOutcome } from '../core/batches/lines.js';
import { type BatchCounters, noBatchCounters } from '../core/batches/metrics.js';
import type { BatchAdapter, SubmitCheckpoint } from '../core/providers/batch/types.js';
import type { UsageLedger } from '../core/usage/types.js';
import type { ActivityDeps } from './deps.js';

export interface EnqueueBatchItemResult {
  /** False when the model's provider has no Batch API: the request makes an ordinary call. */
  queued: boolean;
  collectorId?: string;
  settings: BatchSettings;
}

export interface ProviderBatchRef {
  model: ModelSpec;
  providerBatchId: string;
}

/** What the collector starts a provider batch with. */
export interface BatchCollectorInput {
  model: ModelSpec;
  settings: BatchSettings;
  /** Items carried over from the previous run (continue-as-new). */
  pending?: BatchItem[];
  /** Batches submitted by earlier runs, so the next batch's id is new. */
  submitted?: number;
}

export interface BatchActivities {
  enqueueBatchItem(input: { item: BatchItem }): Promise<EnqueueBatchItemResult>;
  submitBatch(input: { model: ModelSpec; items: SubmittedItem[] }): Promise<{ providerBatchId: string }>;
  pollBatch(input: ProviderBatchRef): Promise<BatchProgress>;
  collectBatchResults(input: ProviderBatchRef & { items: SubmittedItem[] }): Promise<BatchItemOutcome[]>;
  cancelBatch(input: ProviderBatchRef): Promise<void>;
}

export interface BatchActivityDeps extends Pick<ActivityDeps, 'providers' | 'settings' | 'costControls'> {
  batchMetrics?: BatchCounters;
}

/** What a submission heartbeats: the steps made so far, and the batch once it exists. */
interface SubmitHeartbeat {
  checkpoint: SubmitCheckpoint;
  providerBatchId?: string;
}

export function createBatchActivities(deps: BatchActivityDeps): BatchActivities {
  const metrics = deps.batchMetrics ?? noBatchCounters;
  const adapter = (model: ModelSpec): BatchAdapter => {
    const found = deps.providers.batchesFor(model);
    if (!found)
      throw new ConfigError(
        `${model.provider} has no Batch API adapter; send ${model.id} requests with urgency 'now'`,
      );
    return found;
  };
  const ledger = (): UsageLedger | undefined => deps.costControls?.usage;
  const settings = (): BatchSettings => deps.settings.batches;

  return {
    async enqueueBatchItem({ item }) {
      const { model } = item.call;
      if (!deps.providers.batchesFor(model)) return { queued: false, settings: settings() };
      const context = Context.current();
      const collectorId = collectorWorkflowId(context.info.taskQueue, model);
      const input: BatchCollectorInput = { model, settings: settings() };
      await context.client.workflow.signalWithStart(BATCH_COLLECTOR_WORKFLOW, {
        workflowId: collectorId,
        taskQueue: context.info.taskQueue,
        args: [input],
        signal: ADD_BATCH_ITEM_SIGNAL,
        signalArgs: [item],
        staticSummary: `collects non-urgent ${model.id} requests into provider batches`,
      });
      metrics.queued(model.id);
      return { queued: true, collectorId, settings: settings() };
    },

    async submitBatch({ model, items }) {
      const context = Context.current();
      // A retry resumes from the heartbeat: the file is not uploaded twice, the batch not made twice.
      const earlier = (context.info.heartbeatDetails ?? { checkpoint: {} }) as SubmitHeartbeat;
      if (earlier.providerBatchId) return { providerBatchId: earlier.providerBatchId };
      let checkpoint = earlier.checkpoint;
      const providerBatchId = await adapter(model).submit(batchLines(items), {
        key: context.info.workflowExecution?.workflowId ?? `${model.id}/${items[0]?.workflowId}`,
        retried: context.info.attempt > 1,
        checkpoint,
        save: (next) => {
          checkpoint = next;
          context.heartbeat({ checkpoint } satisfies SubmitHeartbeat);
        },
      });
      context.heartbeat({ checkpoint, providerBatchId } satisfies SubmitHeartbeat);
      metrics.submitted(model.id, items.length);
      return { providerBatchId };
    },

    async pollBatch({ model, providerBatchId }) {
      return adapter(model).poll(providerBatchId);
    },

    async collectBatchResults({ model, providerBatchId, items }) {
      const results = await adapter(model).results(providerBatchId, batchLines(items));
      const byId = new Map(results.map((r) => [r.customId, r]));
      const outcomes = items.map((item) => itemOutcome(item, byId.get(item.customId), providerBatchId));
      const usage = ledger();
      for (const [index, outcome] of outcomes.entries()) {
        const item = items[index] as SubmittedItem;
        metrics.completed(model.id, outcome.ok ? 'succeeded' : outcome.reason);
        if (!outcome.ok) continue;
        const units = costBreakdown(model.pricing, outcome.usage);
        // Keyed by batch and line: a retried read records nothing twice.
        const fresh = await usage?.record({
          callKey: `batch/${providerBatchId}/${item.customId}`,
          requestId: item.requestId,
          taskType: item.taskType,
          model: model.id,
          provider: model.provider,
          usage: outcome.usage,
          costUsd: outcome.costUsd,
          costByKind: Object.fromEntries(
            COST_KINDS.filter((kind) => units[kind] > 0).map((kind) => [kind, units[kind] / 1e8]),
          ),
          at: Date.now(),
          ...(item.caller !== undefined ? { caller: item.caller } : {}),
        });
        if (fresh !== false) metrics.saved(model.id, outcome.ordinaryCostUsd - outcome.costUsd);
      }
      return outcomes;
    },

    async cancelBatch({ model, providerBatchId }) {
      await adapter(model).cancel(providerBatchId);
    },
  };
}
