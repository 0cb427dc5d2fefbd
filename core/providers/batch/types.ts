// The interface every Batch API adapter implements: submit lines, poll, read results, cancel. Each
// provider's wire format stays in its own file; the activities never branch on provider names.
import type { BatchProgress } from '../../../common/batches.js';
import type { ProviderRequest, ProviderResponse } from '../types.js';

/** One line of a batch: our request, named by its custom_id. */
export interface BatchLine {
  customId: string;
  request: ProviderRequest;
}

export type BatchLineResult =
  | { customId: string; ok: true; response: ProviderResponse }
  | {
      customId: string;
      ok: false;
      reason: 'errored' | 'expired' | 'canceled';
      errorType: string;
      message: string;
    };

/** What a submission made on the way (the uploaded file), so a retried submission does not make it twice. */
export interface SubmitCheckpoint {
  fileId?: string;
}

/** One submission of one provider batch, across the activity's retries. */
export interface Submission {
  /** Names this submission for good (the providerBatch workflow's id): a retry looks for it first. */
  key: string;
  /** True on the activity's retries: the provider may already hold the batch of an earlier try. */
  retried: boolean;
  checkpoint: SubmitCheckpoint;
  save(checkpoint: SubmitCheckpoint): void;
}

export interface BatchAdapter {
  /** Creates the provider batch and returns its id; `save` is told of each step's id as it is made. */
  submit(lines: BatchLine[], submission: Submission): Promise<string>;
  poll(batchId: string): Promise<BatchProgress>;
  /** Every line's outcome; `lines` are the submitted ones (a line's request says how to read its answer). */
  results(batchId: string, lines: BatchLine[]): Promise<BatchLineResult[]>;
  cancel(batchId: string): Promise<void>;
}
