// Builds a running summary chunk by chunk: each chunk is one child llmRequest with the
// `summarize_context` template that extends the summary of the chunks before it. Shared by the
// conversation workflow (folding old turns) and the summarizeContext workflow.

import { executeChild } from '@temporalio/workflow';
import {
  chunkItems,
  type SummaryChunk,
  type SummaryItem,
  type SummaryOptions,
  summaryRequest,
} from '../common/conversation.js';
import type { TokenUsage } from '../common/request.js';
import { addUsage } from '../common/usage.js';
import type { llmRequest } from './llmRequest.js';

export interface SummarizeChunksInput {
  items: readonly SummaryItem[];
  chunks: readonly SummaryChunk[];
  previousSummary: string;
  focus?: string;
  options: SummaryOptions;
  caller?: string;
  /** The child workflow id (= request id) of the k-th summary request, k from 0. */
  requestId: (k: number) => string;
}

export interface SummaryOutcome {
  summary: string;
  /** Summary requests made (one per chunk). */
  requests: number;
  models: string[];
  usage: TokenUsage;
  costUsd: number;
}

export async function summarizeChunks(input: SummarizeChunksInput): Promise<SummaryOutcome> {
  const outcome: SummaryOutcome = {
    summary: input.previousSummary,
    requests: 0,
    models: [],
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    costUsd: 0,
  };
  for (const [k, chunk] of input.chunks.entries()) {
    const requestId = input.requestId(k);
    // By type name, not the function: modelCall reaches this module, and a value import of
    // llmRequest would make the request path import itself through the conversation feature.
    const result = await executeChild<typeof llmRequest>('llmRequest', {
      workflowId: requestId,
      args: [
        summaryRequest({
          requestId,
          items: chunkItems(input.items, chunk),
          previousSummary: outcome.summary,
          options: input.options,
          ...(input.focus ? { focus: input.focus } : {}),
          ...(input.caller ? { caller: input.caller } : {}),
        }),
      ],
    });
    outcome.summary = result.text.trim();
    outcome.requests++;
    outcome.models.push(result.model);
    outcome.usage = addUsage(outcome.usage, result.usage);
    outcome.costUsd += result.costUsd;
  }
  return outcome;
}
