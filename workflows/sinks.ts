// What the workflow reports to the worker's process when a request ends, through Temporal sinks.
// Sinks are not called while a workflow is replayed, so a metric counted here counts each real
// event once, even when a worker restarts and replays the history with a cold cache.
import { proxySinks, type Sinks } from '@temporalio/workflow';
import type { Attempt, TokenUsage } from '../common/request.js';

export interface RequestOutcome {
  requestId: string;
  taskType: string;
  templateId: string;
  templateVersion?: string;
  variant?: string;
  caller?: string;
  /** The model that answered, or the last one tried when the request failed. */
  model?: string;
  provider?: string;
  status: 'success' | 'failed' | 'cancelled';
  errorType?: string;
  durationMs: number;
  usage: TokenUsage;
  costUsd: number;
  cached: boolean;
  /** Every provider call and skipped model, in order (see LlmResult.attempts). */
  attempts: Attempt[];
}

export interface OrchestratorSinks extends Sinks {
  metrics: {
    requestFinished(outcome: RequestOutcome): void;
  };
}

export const { metrics } = proxySinks<OrchestratorSinks>();
