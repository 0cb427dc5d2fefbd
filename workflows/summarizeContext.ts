// summarizeContext: condenses context items into one item, for when pruning is not enough (the
// items that did not fit a model's window) and for any caller that wants a summary as context.
// planSummary splits the items into chunks that fit the summary model; each chunk is one child
// llmRequest (`<this workflow's id>/chunk-<k>`, template `summarize_context`) extending the
// previous chunk's summary.
import { proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { ConversationActivities } from '../activities/conversation.js';
import type { SummaryItem, SummaryOptions } from '../common/conversation.js';
import { InvalidRequestError } from '../common/errors.js';
import type { ContextItem } from '../common/request.js';
import { checkWorkflowInput } from '../common/workflowInput.js';
import { summarizeChunks } from './conversationSummary.js';

const { planSummary } = proxyLocalActivities<ConversationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: [InvalidRequestError.type] },
});

export interface SummarizeContextInput {
  items: ContextItem[];
  /** A summary the new one extends (a running summary). */
  previousSummary?: string;
  /** What the summary is for (the request's question): the summariser keeps what it needs. */
  focus?: string;
  /** Model, task type and length of the summary; a cheaper model than the request's is the point. */
  summary?: SummaryOptions;
  /** Share of the summary model's input budget a summary prompt may fill; default 0.9. */
  windowShare?: number;
  /** Id of the returned item; default `summary-of-<n>-items`. */
  id?: string;
  caller?: string;
}

/** The newest of the items' timestamps (ISO 8601), so recency ranks the summary with its newest item. */
function newest(items: readonly ContextItem[]): string {
  let best = items[0]?.timestamp ?? new Date(0).toISOString();
  for (const item of items) if (Date.parse(item.timestamp) > Date.parse(best)) best = item.timestamp;
  return best;
}

export async function summarizeContext(input: SummarizeContextInput): Promise<ContextItem> {
  checkWorkflowInput('summarizeContext', input);
  if (!input.items?.length) throw new InvalidRequestError('summarizeContext needs at least one item');
  const { workflowId } = workflowInfo();
  const items: SummaryItem[] = input.items.map((item) => ({
    id: item.id,
    source: item.source ?? '',
    content: item.content,
  }));
  const options = input.summary ?? {};
  const plan = await planSummary({
    requestId: `${workflowId}/chunk-1`,
    items,
    previousSummary: input.previousSummary ?? '',
    options,
    ...(input.focus ? { focus: input.focus } : {}),
    ...(input.windowShare !== undefined ? { windowShare: input.windowShare } : {}),
  });
  const outcome = await summarizeChunks({
    items,
    chunks: plan.chunks,
    previousSummary: input.previousSummary ?? '',
    options,
    requestId: (k) => `${workflowId}/chunk-${k + 1}`,
    ...(input.focus ? { focus: input.focus } : {}),
    ...(input.caller ? { caller: input.caller } : {}),
  });
  return {
    id: input.id ?? `summary-of-${input.items.length}-items`,
    content: outcome.summary,
    relevanceScore: Math.max(...input.items.map((item) => item.relevanceScore)),
    timestamp: newest(input.items),
    source: 'summary',
  };
}
