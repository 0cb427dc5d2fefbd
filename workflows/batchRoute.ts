// The batch route of a non-urgent request (`urgency: 'batch'`): its first model's call goes into the
// provider's Batch API through the model's collector, and the request waits durably for its item.
// An answer is validated as any answer; an invalid one is repaired by an ordinary call; an item that
// failed or expired hands the request back to the ordinary chain (same model first, or the next one).
import {
  condition,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { rejectedAttempt } from '../common/attempts.js';
import type { BatchItemOutcome } from '../common/batches.js';
import { BatchItemFailedError, InvalidResponseError } from '../common/errors.js';
import type { RoutePlan } from '../common/plan.js';
import type { RenderedPrompt } from '../common/prompt.js';
import { type Attempt, isFinishReason, type LlmRequest } from '../common/request.js';
import { batchItemDone } from './batchDefinitions.js';
import type { ModelCallResult } from './definitions.js';
import { walkChain } from './fallbackChain.js';
import { answerCheck } from './modelCall.js';
import type { RequestTracker } from './requestTracker.js';
import { LlmBatchId } from './searchAttributes.js';

const { enqueueBatchItem } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 10, nonRetryableErrorTypes: ['ConfigError'] },
});
const { prepareMessages, validateResponse } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

/** How much longer than an ordinary request a batched one may hold its budget reservation. */
export const BATCH_RESERVATION_SECONDS = 26 * 3600;

export interface BatchRouteInput {
  request: LlmRequest;
  rendered: RenderedPrompt;
  plan: RoutePlan;
  /** The request's attempts: the batch call (and any repair) is added here. */
  attempts: Attempt[];
  /** How long an ordinary repair may take, counted from when the batch answered. */
  deadlineSeconds: number;
  tracker: RequestTracker;
}

/** An answer, or the plan the ordinary chain should walk instead. */
export type BatchRouteOutcome = { answer: ModelCallResult } | { answer?: undefined; fallback: RoutePlan };

export async function routeViaBatch(input: BatchRouteInput): Promise<BatchRouteOutcome> {
  const { request, rendered, plan, attempts } = input;
  const first = plan.models[0];
  // A streamed request wants its tokens as they come: a batch cannot give them.
  if (!first || request.stream) return { fallback: plan };
  const { model } = first;
  let outcome: BatchItemOutcome | undefined;
  setHandler(batchItemDone, (o) => {
    outcome ??= o;
  });
  const schema = request.schema ?? rendered.schema;
  const outputFormat = request.outputFormat ?? rendered.outputFormat ?? (schema ? 'json' : 'text');
  const messages = request.context?.length
    ? (
        await prepareMessages({
          messages: rendered.messages,
          context: request.context,
          model,
          maxOutputTokens: plan.maxOutputTokens,
          tokenBudget: plan.tokenBudget,
          ...(request.pruning ? { pruning: request.pruning } : {}),
        })
      ).messages
    : rendered.messages;
  const queued = await enqueueBatchItem({
    item: {
      workflowId: workflowInfo().workflowId,
      requestId: request.requestId,
      taskType: request.taskType,
      ...(request.caller ? { caller: request.caller } : {}),
      call: {
        model,
        messages,
        maxOutputTokens: plan.maxOutputTokens,
        ...(request.params ? { params: request.params } : {}),
        ...(schema && model.structuredOutput ? { structuredOutput: { name: 'answer', schema } } : {}),
        ...(request.tools?.length
          ? {
              tools: request.tools,
              ...(request.toolChoice ? { toolChoice: request.toolChoice } : {}),
              ...(request.parallelToolCalls !== undefined
                ? { parallelToolCalls: request.parallelToolCalls }
                : {}),
            }
          : {}),
      },
    },
  });
  if (!queued.queued) return { fallback: plan };
  input.tracker.status.currentModel = model.id;
  input.tracker.stage('waiting_for_batch');
  const queuedAt = Date.now();
  await condition(() => outcome !== undefined, queued.settings.itemWaitMs);
  const durationMs = Date.now() - queuedAt;
  const rest: RoutePlan = { ...plan, models: plan.models.slice(1) };
  if (!outcome?.ok) {
    attempts.push({
      model: model.id,
      provider: model.provider,
      outcome: 'failed',
      errorType: BatchItemFailedError.type,
      error: outcome
        ? `batch ${outcome.batchId}: ${outcome.reason} (${outcome.errorType}: ${outcome.message})`
        : `no batch answer within ${queued.settings.itemWaitMs} ms`,
      durationMs,
    });
    return { fallback: queued.settings.onItemFailure === 'next-model' ? rest : plan };
  }
  if (outcome.batchId) upsertSearchAttributes([{ key: LlmBatchId, value: outcome.batchId }]);
  const answered: Attempt = {
    model: model.id,
    provider: model.provider,
    outcome: 'success',
    durationMs,
    usage: outcome.usage,
    costUsd: outcome.costUsd,
    try: 1,
  };
  const check = answerCheck({
    taskType: request.taskType,
    outputFormat,
    allowRegexFallback: request.allowRegexFallback ?? false,
    ...(schema ? { schema } : {}),
    ...(request.tools ? { tools: request.tools } : {}),
    ...(request.toolChoice ? { toolChoice: request.toolChoice } : {}),
  });
  const validation = await validateResponse({
    ...check,
    model: model.id,
    text: outcome.text,
    ...(check.tools ? { toolCalls: outcome.toolCalls } : {}),
  });
  if (validation.ok) {
    attempts.push(answered);
    return {
      answer: {
        model: model.id,
        provider: model.provider,
        text: outcome.text,
        output: validation.output,
        ...(outcome.toolCalls.length ? { toolCalls: outcome.toolCalls } : {}),
        ...(isFinishReason(outcome.finishReason) ? { finishReason: outcome.finishReason } : {}),
        regexFallback: validation.regexFallback,
        usage: outcome.usage,
        costUsd: outcome.costUsd,
        attempts: [answered],
      },
    };
  }
  // Paid for but unusable: repaired by an ordinary call to the same model, as any invalid answer is.
  attempts.push(rejectedAttempt(answered, InvalidResponseError.type, validation.errors));
  if (plan.maxRepairs < 1) return { fallback: rest };
  const repaired = await walkChain({
    request,
    rendered: {
      ...rendered,
      messages: [
        ...rendered.messages,
        ...(validation.repairMessages ?? [
          { role: 'assistant', content: outcome.text },
          { role: 'user', content: validation.repairPrompt },
        ]),
      ],
    },
    plan: { ...plan, models: [first], maxRepairs: plan.maxRepairs - 1 },
    deadlineAt: Date.now() + input.deadlineSeconds * 1000,
    attempts,
    onModel: (id) => input.tracker.calling(id),
  });
  return repaired.answer ? { answer: repaired.answer } : { fallback: rest };
}
