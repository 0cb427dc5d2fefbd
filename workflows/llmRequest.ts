// llmRequest: one LLM request, end to end. Renders the template, plans the route, answers from the
// cache when it can, reserves the request's budget, then walks the plan with one modelCall child
// per model until one answers; every step is in this workflow's history or its children's.
import { ApplicationFailure } from '@temporalio/common';
import {
  CancellationScope,
  isCancellation,
  proxyLocalActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { skippedAttempt } from '../common/attempts.js';
import { AllModelsFailedError, rootFailure } from '../common/errors.js';
import type { RoutePlan } from '../common/plan.js';
import type { RenderedPrompt } from '../common/prompt.js';
import type { Attempt, LlmRequest, LlmResult, TokenUsage } from '../common/request.js';
import { earliestStart } from '../common/schedule.js';
import { addUsage, sumUsd, ZERO_USAGE } from '../common/usage.js';
import { checkWorkflowInput } from '../common/workflowInput.js';
import type { CachedAnswer } from '../core/cache/types.js';
import { BATCH_RESERVATION_SECONDS, routeViaBatch } from './batchRoute.js';
import { walkChain } from './fallbackChain.js';
import { RequestTracker, spentUsd, totalUsage } from './requestTracker.js';

const { renderPrompt, planRoute } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

// Cache and budget steps: fast, so local activities (markers in history, no extra task).
const { cacheLookup, cacheStore, admitRequest, settleRequest } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

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

/** Plans the route; when the caller prefers waiting for its model's cooldown to a fallback, waits durably and re-plans. */
async function plan(
  request: LlmRequest,
  rendered: RenderedPrompt,
  tracker: RequestTracker,
): Promise<RoutePlan> {
  tracker.stage('planning');
  const first = await planRoute({ request, messages: rendered.messages });
  const cooldown = first.cooldowns.find((c) => c.model === request.model);
  const waitMs = cooldown ? cooldown.openUntil - Date.now() : 0;
  if (!cooldown || !request.waitForCooldownSeconds || waitMs > request.waitForCooldownSeconds * 1000)
    return first;
  tracker.stage('waiting_for_cooldown');
  await sleep(Math.max(waitMs, 1));
  tracker.stage('planning');
  return planRoute({ request, messages: rendered.messages });
}

export async function llmRequest(request: LlmRequest): Promise<LlmResult> {
  checkWorkflowInput('llmRequest', request);
  const { workflowId } = workflowInfo();
  const deadlineAt = Date.now() + (request.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS) * 1000;
  const tracker = new RequestTracker(request);
  const settle = (attempts: Attempt[]) =>
    settleRequest({ requestId: request.requestId, costUsd: spentUsd(attempts) });
  let admitted = false;
  try {
    await waitUntilAllowed(request, tracker);
    tracker.stage('rendering');
    const rendered = await renderPrompt({
      requestId: request.requestId,
      templateId: request.templateId,
      variables: request.variables,
      ...(request.templateVersion ? { templateVersion: request.templateVersion } : {}),
      ...(request.messages ? { messages: request.messages } : {}),
    });
    tracker.rendered(rendered);
    const route = await plan(request, rendered, tracker);

    const cacheMode = request.cache ?? 'read-write';
    const cacheSource = { request, rendered, plan: route };
    let lookup: Awaited<ReturnType<typeof cacheLookup>> | undefined;
    if (cacheMode !== 'off') {
      lookup = await cacheLookup({ ...cacheSource, mode: cacheMode });
      if (lookup.hit) {
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
    }
    const looked: Embedded = lookup ?? {};
    await admitRequest({
      requestId: request.requestId,
      plan: route,
      ttlSeconds:
        (request.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS) +
        300 +
        (request.urgency === 'batch' ? BATCH_RESERVATION_SECONDS : 0),
      ...(request.caller ? { caller: request.caller } : {}),
    });
    admitted = true;
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
    await settle(attempts);
    admitted = false;
    if (!outcome.answer) {
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
    if (cacheMode === 'read-write') {
      const stored = await cacheStore({ ...cacheSource, mode: cacheMode, answer: cachedAnswer(result) });
      result = withEmbedding(result, stored);
    }
    return tracker.succeeded(result);
  } catch (error) {
    if (admitted) {
      // Charge what the calls so far cost and let the rest of the reservation go, even when cancelled.
      const attempts = tracker.status.attempts;
      await CancellationScope.nonCancellable(() => settle(attempts));
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
