// llmRequest: one LLM request, end to end. Renders the template, plans the route, answers from the
// cache when it can, reserves the request's budget (workflows/requestSteps.ts), then walks the plan
// model by model until one answers (workflows/fallbackChain.ts), settles and stores the answer; every
// step is in this workflow's history or its children's.
import { ApplicationFailure } from '@temporalio/common';
import { CancellationScope, isCancellation, sleep, workflowInfo } from '@temporalio/workflow';
import { skippedAttempt } from '../common/attempts.js';
import { AllModelsFailedError, rootFailure } from '../common/errors.js';
import type { Attempt, LlmRequest, LlmResult, TokenUsage } from '../common/request.js';
import { earliestStart } from '../common/schedule.js';
import { addUsage, sumUsd, ZERO_USAGE } from '../common/usage.js';
import { checkWorkflowInput } from '../common/workflowInput.js';
import type { CachedAnswer } from '../core/cache/types.js';
import { BATCH_RESERVATION_SECONDS, routeViaBatch } from './batchRoute.js';
import { walkChain } from './fallbackChain.js';
import { RequestSteps } from './requestSteps.js';
import { RequestTracker, spentUsd, totalUsage } from './requestTracker.js';

const DEFAULT_DEADLINE_SECONDS = 600;

/** What the cache keeps of a result: the answer, not this request's identity or tries. */
function cachedAnswer(result: LlmResult): CachedAnswer {
  const { requestId, workflowId, cached, attempts, ...answer } = result;
  return answer;
}

/** What the request's cache steps paid for embeddings, when they paid (absent from older histories). */
type Embedded = { embedding?: { usage: TokenUsage; costUsd: number } };

/** The result's usage and cost with an embedding's added: the request pays for its cache lookups too. */
function withEmbedding<T extends { usage: TokenUsage; costUsd: number }>(result: T, step: Embedded): T {
  if (!step.embedding) return result;
  return {
    ...result,
    usage: addUsage(result.usage, step.embedding.usage),
    costUsd: sumUsd([result.costUsd, step.embedding.costUsd]),
  };
}

/** Deferred, non-urgent work waits on a durable timer, visible in history, holding no slot. */
async function waitUntilAllowed(request: LlmRequest, tracker: RequestTracker): Promise<void> {
  const notBefore = request.notBefore ? Date.parse(request.notBefore) : undefined;
  const startAt = earliestStart(Date.now(), notBefore, request.offPeak);
  if (startAt <= Date.now()) return;
  tracker.stage('deferred');
  await sleep(startAt - Date.now());
}

export async function llmRequest(request: LlmRequest): Promise<LlmResult> {
  checkWorkflowInput('llmRequest', request);
  const { workflowId } = workflowInfo();
  const deadlineAt = Date.now() + (request.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS) * 1000;
  const tracker = new RequestTracker(request);
  const steps = new RequestSteps(request, tracker);
  try {
    await waitUntilAllowed(request, tracker);
    const {
      rendered,
      plan: route,
      lookup,
    } = await steps.begin(
      (request.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS) +
        300 +
        (request.urgency === 'batch' ? BATCH_RESERVATION_SECONDS : 0),
    );
    const cacheMode = request.cache ?? 'read-write';
    const cacheSource = { request, rendered, plan: route };
    if (lookup?.hit) {
      // No model call: the request used only what a semantic lookup's embedding cost, if anything.
      return tracker.succeeded(
        withEmbedding(
          {
            ...lookup.answer,
            requestId: request.requestId,
            workflowId,
            usage: ZERO_USAGE,
            costUsd: 0,
            cached: true,
            cacheHit: lookup.info,
            attempts: [],
          },
          lookup,
        ),
      );
    }
    const looked: Embedded = lookup ?? {};
    tracker.planned(route);
    const attempts: Attempt[] = route.skipped.map((s) => skippedAttempt(s.model, '', s.reason));
    tracker.status.attempts = attempts;

    // Non-urgent: the first model answers through its provider's Batch API (workflows/batchRoute.ts).
    const batched =
      request.urgency === 'batch'
        ? await routeViaBatch({
            request,
            rendered,
            plan: route,
            attempts,
            tracker,
            deadlineSeconds: request.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS,
          })
        : undefined;
    tracker.stage('calling');
    const outcome = batched?.answer
      ? { answer: batched.answer }
      : await walkChain({
          request,
          rendered,
          plan: batched?.fallback ?? route,
          // A batched request's ordinary deadline starts when the batch is done with it.
          deadlineAt: batched
            ? Date.now() + (request.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS) * 1000
            : deadlineAt,
          attempts,
          onModel: (model) => tracker.calling(model),
        });
    if (!outcome.answer) {
      await steps.finish(attempts);
      const summary = outcome.failures.length
        ? outcome.failures.join(' | ')
        : `no model could be tried (${route.decision})`;
      throw tracker.failed(
        new AllModelsFailedError(`all models failed for ${request.taskType}: ${summary}`, {
          details: { attempts, routeDecision: route.decision },
        }),
      );
    }
    const { answer } = outcome;
    // Every call the request paid for, on every model (the ledger's entries for it), and its lookup.
    let result: LlmResult = withEmbedding(
      {
        requestId: request.requestId,
        workflowId,
        model: answer.model,
        provider: answer.provider,
        templateId: rendered.templateId,
        templateVersion: rendered.version,
        output: answer.output,
        text: answer.text,
        ...(answer.toolCalls ? { toolCalls: answer.toolCalls } : {}),
        ...(answer.finishReason ? { finishReason: answer.finishReason } : {}),
        usage: totalUsage(attempts),
        costUsd: spentUsd(attempts),
        cached: false,
        attempts,
        routeDecision: route.decision,
        ...(answer.regexFallback ? { regexFallback: true } : {}),
      },
      looked,
    );
    const stored = await steps.finish(
      attempts,
      cacheMode === 'read-write'
        ? { ...cacheSource, mode: cacheMode, answer: cachedAnswer(result) }
        : undefined,
    );
    if (stored) result = withEmbedding(result, stored);
    return tracker.succeeded(result);
  } catch (error) {
    if (steps.owesSettlement) {
      // Charge what the calls so far cost and let the rest of the reservation go, even when cancelled.
      const attempts = tracker.status.attempts;
      await CancellationScope.nonCancellable(() => steps.settle(attempts));
    }
    if (isCancellation(error)) {
      tracker.cancelled();
      throw error;
    }
    if (tracker.status.stage === 'failed') throw error;
    // Render/plan failures (bad template, unknown model): surface the typed root failure itself.
    const root = rootFailure(error);
    throw tracker.failed(root ?? ApplicationFailure.nonRetryable(String(error), 'InternalError'));
  }
}
