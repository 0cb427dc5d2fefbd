// From batch items to the adapters' lines and back: the provider request a batch line carries (the
// same one an ordinary call would send), and an item's outcome priced at the batch rate.
import type { BatchCall, BatchItemOutcome, SubmittedItem } from '../../common/batches.js';
import { BATCH_SERVICE_TIER, costUsd } from '../../common/catalog.js';
import type { BatchLine, BatchLineResult } from '../providers/batch/types.js';
import type { ProviderRequest } from '../providers/types.js';

/** The provider request for a batch call, as invokeProvider builds one for an ordinary call. */
export function providerRequest(call: BatchCall): ProviderRequest {
  const { params } = call;
  return {
    model: call.model,
    messages: call.messages,
    maxOutputTokens: Math.min(call.maxOutputTokens, call.model.maxOutputTokens),
    ...(params?.temperature !== undefined ? { temperature: params.temperature } : {}),
    ...(params?.topP !== undefined ? { topP: params.topP } : {}),
    ...(params?.stop ? { stop: params.stop } : {}),
    ...(call.structuredOutput ? { structuredOutput: call.structuredOutput } : {}),
    ...(call.tools?.length
      ? {
          tools: call.tools,
          ...(call.toolChoice ? { toolChoice: call.toolChoice } : {}),
          ...(call.parallelToolCalls !== undefined ? { parallelToolCalls: call.parallelToolCalls } : {}),
        }
      : {}),
  };
}

export function batchLines(items: readonly SubmittedItem[]): BatchLine[] {
  return items.map((item) => ({ customId: item.customId, request: providerRequest(item.call) }));
}

/** One item's outcome: an answer billed at the batch tier (and what it would have cost), or why not. */
export function itemOutcome(
  item: SubmittedItem,
  result: BatchLineResult | undefined,
  batchId: string,
): BatchItemOutcome {
  if (!result)
    return {
      ok: false,
      batchId,
      reason: 'missing',
      errorType: 'BatchItemMissing',
      message: `no result for ${item.customId} in ${batchId}`,
    };
  if (!result.ok)
    return {
      ok: false,
      batchId,
      reason: result.reason,
      errorType: result.errorType,
      message: result.message,
    };
  const { response } = result;
  const { serviceTier: _, ...ordinary } = response.usage;
  const usage = { ...ordinary, serviceTier: BATCH_SERVICE_TIER };
  return {
    ok: true,
    batchId,
    text: response.text,
    toolCalls: response.toolCalls,
    finishReason: response.finishReason,
    usage,
    costUsd: costUsd(item.call.model.pricing, usage),
    ordinaryCostUsd: costUsd(item.call.model.pricing, ordinary),
    responseId: response.responseId,
  };
}
