// The signals and queries of the batch workflows, defined once for the workflows, activities and
// client: an item joins its collector, an outcome goes back to its request, operators read status.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import {
  ADD_BATCH_ITEM_SIGNAL,
  BATCH_ITEM_DONE_SIGNAL,
  type BatchItem,
  type BatchItemOutcome,
  type BatchProgress,
} from '../common/batches.js';

export const addBatchItem = defineSignal<[BatchItem]>(ADD_BATCH_ITEM_SIGNAL);
export const batchItemDone = defineSignal<[BatchItemOutcome]>(BATCH_ITEM_DONE_SIGNAL);

export interface CollectorStatus {
  model: string;
  provider: string;
  /** Items waiting for the next batch, and since when the oldest has waited (epoch ms). */
  pending: number;
  oldestQueuedAt?: number;
  batchesSubmitted: number;
  itemsSubmitted: number;
  /** Workflow ids of the latest provider batches this run started. */
  recentBatches: string[];
}

/** `batchCollectorStatus`: what a collector holds and has submitted. */
export const collectorStatusQuery = defineQuery<CollectorStatus>('batchCollectorStatus');

export interface ProviderBatchStatus {
  stage: 'submitting' | 'polling' | 'collecting' | 'delivering' | 'cancelling' | 'done';
  items: number;
  providerBatchId?: string;
  progress?: BatchProgress;
  polls: number;
}

/** `batchStatus`: where one provider batch stands. */
export const providerBatchStatusQuery = defineQuery<ProviderBatchStatus>('batchStatus');
