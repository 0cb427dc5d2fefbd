// Half-price batches: the shapes a non-urgent request, its collector, its provider batch and the
// batch activities share. Pure types and names, so workflows, activities and the client import them.
import type { ModelSpec } from './catalog.js';
import type {
  ChatMessage,
  FinishReason,
  GenerationParams,
  JsonSchema,
  TokenUsage,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from './request.js';

/** `now` (the default): an ordinary call. `batch`: through the provider's Batch API, at its discount. */
export type Urgency = 'now' | 'batch';

/** What happens to a request whose batch item failed or expired. */
export type BatchItemFallback = 'same-model' | 'next-model';

/** How collectors fill batches and how provider batches are polled (the worker's settings). */
export interface BatchSettings {
  /** A batch is submitted when this many items are waiting... */
  maxItems: number;
  /** ...or when the oldest waiting item has waited this long. */
  maxWaitMs: number;
  /** First wait between polls of a submitted batch; each next wait is `pollBackoff` times longer. */
  pollInitialMs: number;
  pollMaxMs: number;
  pollBackoff: number;
  /** How long a request waits for its item before it gives up on the batch (the provider's window plus slack). */
  itemWaitMs: number;
  /** A failed or expired item: an ordinary call to the same model first, or the chain's next model. */
  onItemFailure: BatchItemFallback;
  /** A collector continues as new after submitting this many batches (keeps its history short). */
  batchesPerRun: number;
}

export const DEFAULT_BATCH_SETTINGS: BatchSettings = {
  maxItems: 100,
  maxWaitMs: 60_000,
  pollInitialMs: 30_000,
  pollMaxMs: 30 * 60_000,
  pollBackoff: 1.5,
  itemWaitMs: 25 * 3_600_000,
  onItemFailure: 'same-model',
  batchesPerRun: 50,
};

/** One request's call as a batch line: everything the provider's body is built from. */
export interface BatchCall {
  model: ModelSpec;
  messages: ChatMessage[];
  maxOutputTokens: number;
  params?: GenerationParams;
  structuredOutput?: { name: string; schema: JsonSchema };
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
}

/** A request waiting in a collector: its call, and whom to tell when its answer is in. */
export interface BatchItem {
  /** The request's workflow, signalled with the item's outcome. */
  workflowId: string;
  requestId: string;
  taskType: string;
  caller?: string;
  /** Epoch ms the item was queued (the collector's clock). */
  queuedAt?: number;
  call: BatchCall;
}

/** An item as submitted: its line's custom_id within the provider batch. */
export interface SubmittedItem extends BatchItem {
  customId: string;
}

/** What came back for one item: the answer at the batch price, or why there is none. */
export type BatchItemOutcome =
  | {
      ok: true;
      batchId: string;
      text: string;
      toolCalls: ToolCall[];
      finishReason: FinishReason | 'other';
      usage: TokenUsage;
      /** At the batch price: what the ledger recorded for this item. */
      costUsd: number;
      /** What the same call would have cost as an ordinary call. */
      ordinaryCostUsd: number;
      responseId: string;
    }
  | {
      ok: false;
      batchId: string;
      /** errored: the provider refused the line; expired: the window closed; canceled: the batch was cancelled. */
      reason: 'errored' | 'expired' | 'canceled' | 'missing';
      errorType: string;
      message: string;
    };

/** Where a provider batch stands, as a poll reads it. */
export interface BatchProgress {
  /** The provider's own status (OpenAI `status`, Anthropic `processing_status`). */
  status: string;
  ended: boolean;
  counts: { total: number; succeeded: number; failed: number; processing: number };
}

/** Names the activities and workflows share (activities start workflows by name, never by import). */
export const BATCH_COLLECTOR_WORKFLOW = 'batchCollector';
export const ADD_BATCH_ITEM_SIGNAL = 'addBatchItem';
export const BATCH_ITEM_DONE_SIGNAL = 'batchItemDone';

/** The collector of one provider and model on one task queue: one long-running workflow each. */
export function collectorWorkflowId(taskQueue: string, model: ModelSpec): string {
  return `batch-collector/${taskQueue}/${model.provider}/${model.id}`;
}
