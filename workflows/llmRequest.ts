// llmRequest: one LLM request, end to end. Renders the template, plans the route, then walks the
// plan with one modelCall child per model until one answers; every step is in this workflow's
// history or its children's.
import { ApplicationFailure } from '@temporalio/common';
import {
  executeChild,
  isCancellation,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { AllModelsFailedError, ContextLengthExceededError, rootFailure } from '../common/errors.js';
import type { Attempt, LlmRequest, LlmResult, TokenUsage } from '../common/request.js';
import { earliestStart } from '../common/schedule.js';
import { type ModelCallFailureDetails, type RequestStatus, statusQuery } from './definitions.js';
import { modelCall } from './modelCall.js';
import {
  LlmCaller,
  LlmCostUsd,
  LlmModel,
  LlmProvider,
  LlmStatus,
  LlmTaskType,
  LlmTemplateId,
  LlmTemplateVersion,
  LlmTotalTokens,
  LlmVariant,
} from './searchAttributes.js';
import { metrics, type RequestOutcome } from './sinks.js';

const { renderPrompt, planRoute } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

const DEFAULT_DEADLINE_SECONDS = 600;

function totalUsage(attempts: Attempt[]): TokenUsage {
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  for (const attempt of attempts) {
    if (!attempt.usage) continue;
    usage.inputTokens += attempt.usage.inputTokens;
    usage.outputTokens += attempt.usage.outputTokens;
    usage.totalTokens += attempt.usage.totalTokens;
  }
  return usage;
}

export async function llmRequest(request: LlmRequest): Promise<LlmResult> {
  const { workflowId } = workflowInfo();
  const startedAt = Date.now();
  const deadlineAt = startedAt + (request.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS) * 1000;
  const status: RequestStatus = { stage: 'rendering', modelsPlanned: [], cooldowns: [], attempts: [] };
  const report = (
    outcome: Pick<RequestOutcome, 'status' | 'usage' | 'costUsd' | 'cached'> & Partial<RequestOutcome>,
  ) =>
    metrics.requestFinished({
      requestId: request.requestId,
      taskType: request.taskType,
      templateId: request.templateId,
      attempts: status.attempts,
      durationMs: Date.now() - startedAt,
      ...(status.templateVersion ? { templateVersion: status.templateVersion } : {}),
      ...(request.caller ? { caller: request.caller } : {}),
      ...outcome,
    });
  setHandler(statusQuery, () => status);
  upsertSearchAttributes([
    { key: LlmTaskType, value: request.taskType },
    { key: LlmTemplateId, value: request.templateId },
    { key: LlmStatus, value: 'running' },
    ...(request.caller ? [{ key: LlmCaller, value: request.caller }] : []),
  ]);

  const fail = (error: ApplicationFailure): ApplicationFailure => {
    status.stage = 'failed';
    upsertSearchAttributes([{ key: LlmStatus, value: 'failed' }]);
    const usage = totalUsage(status.attempts);
    const costUsd = status.attempts.reduce((sum, a) => sum + (a.costUsd ?? 0), 0);
    const last = status.attempts.findLast((a) => a.outcome !== 'skipped');
    report({
      status: 'failed',
      usage,
      costUsd,
      cached: false,
      ...(error.type ? { errorType: error.type } : {}),
      ...(last ? { model: last.model, provider: last.provider } : {}),
    });
    return error;
  };

  try {
    // Deferred, non-urgent work waits on a durable timer, visible in history, holding no slot.
    const startAt = earliestStart(
      Date.now(),
      request.notBefore ? Date.parse(request.notBefore) : undefined,
      request.offPeak,
    );
    if (startAt > Date.now()) {
      status.stage = 'deferred';
      await sleep(startAt - Date.now());
      status.stage = 'rendering';
    }
    const rendered = await renderPrompt({
      requestId: request.requestId,
      templateId: request.templateId,
      variables: request.variables,
      ...(request.templateVersion ? { templateVersion: request.templateVersion } : {}),
    });
    status.templateVersion = rendered.version;
    upsertSearchAttributes([
      { key: LlmTemplateVersion, value: rendered.version },
      ...(rendered.variant ? [{ key: LlmVariant, value: rendered.variant }] : []),
    ]);
    // The memo shows in the UI's summary: which template version (and variant) served this request.
    upsertMemo({
      template: `${rendered.templateId}@${rendered.version}`,
      ...(rendered.variant ? { variant: rendered.variant } : {}),
    });

    status.stage = 'planning';
    let plan = await planRoute({ request, messages: rendered.messages });
    const cooldown = plan.cooldowns.find((c) => c.model === request.model);
    const waitMs = cooldown ? cooldown.openUntil - Date.now() : 0;
    if (cooldown && request.waitForCooldownSeconds && waitMs <= request.waitForCooldownSeconds * 1000) {
      // The caller prefers this model over a fallback: wait durably for its cooldown, then re-plan.
      status.stage = 'waiting_for_cooldown';
      await sleep(Math.max(waitMs, 1));
      status.stage = 'planning';
      plan = await planRoute({ request, messages: rendered.messages });
    }
    status.modelsPlanned = plan.models.map((p) => p.model.id);
    status.cooldowns = plan.cooldowns;
    const schema = request.schema ?? rendered.schema;
    const outputFormat = request.outputFormat ?? rendered.outputFormat ?? (schema ? 'json' : 'text');
    const attempts: Attempt[] = plan.skipped.map((s) => ({
      model: s.model,
      provider: '',
      outcome: 'skipped',
      error: s.reason,
      durationMs: 0,
    }));
    status.attempts = attempts;

    status.stage = 'calling';
    // After a context-length error only models with a larger window can help.
    let windowTooSmall = 0;
    const failures: string[] = [];
    for (const [index, planned] of plan.models.entries()) {
      if (planned.model.contextWindow <= windowTooSmall) {
        attempts.push({
          model: planned.model.id,
          provider: planned.model.provider,
          outcome: 'skipped',
          error: `window ${planned.model.contextWindow} is not larger than one that was already too small`,
          durationMs: 0,
        });
        continue;
      }
      status.currentModel = planned.model.id;
      try {
        const answer = await executeChild(modelCall, {
          workflowId: `${workflowId}/${index + 1}-${planned.model.id}`,
          args: [
            {
              requestId: request.requestId,
              taskType: request.taskType,
              planned,
              messages: rendered.messages,
              outputFormat,
              allowRegexFallback: request.allowRegexFallback ?? false,
              maxOutputTokens: plan.maxOutputTokens,
              tokenBudget: plan.tokenBudget,
              retry: plan.retry,
              maxRepairs: plan.maxRepairs,
              deadlineAt,
              ...(schema ? { schema } : {}),
              ...(request.context ? { context: request.context } : {}),
              ...(request.pruning ? { pruning: request.pruning } : {}),
              ...(request.params ? { params: request.params } : {}),
              ...(request.stream ? { stream: true } : {}),
            },
          ],
        });
        attempts.push(...answer.attempts);
        const usage = totalUsage(attempts);
        status.stage = 'completed';
        upsertSearchAttributes([
          { key: LlmStatus, value: 'completed' },
          { key: LlmModel, value: answer.model },
          { key: LlmProvider, value: answer.provider },
          { key: LlmCostUsd, value: answer.costUsd },
          { key: LlmTotalTokens, value: usage.totalTokens },
        ]);
        report({
          status: 'success',
          model: answer.model,
          provider: answer.provider,
          usage: answer.usage,
          costUsd: answer.costUsd,
          cached: false,
        });
        return {
          requestId: request.requestId,
          workflowId,
          model: answer.model,
          provider: answer.provider,
          templateId: rendered.templateId,
          templateVersion: rendered.version,
          output: answer.output,
          text: answer.text,
          usage: answer.usage,
          costUsd: answer.costUsd,
          cached: false,
          attempts,
          routeDecision: plan.decision,
          ...(answer.regexFallback ? { regexFallback: true } : {}),
        };
      } catch (error) {
        if (isCancellation(error)) throw error;
        const root = rootFailure(error);
        const details = root?.details?.[0] as ModelCallFailureDetails | undefined;
        attempts.push(...(details?.attempts ?? []));
        failures.push(`${planned.model.id}: ${root?.type ?? 'Error'}: ${root?.message ?? String(error)}`);
        if (root?.type === ContextLengthExceededError.type) windowTooSmall = planned.model.contextWindow;
      }
    }
    const summary = failures.length ? failures.join(' | ') : `no model could be tried (${plan.decision})`;
    throw fail(
      new AllModelsFailedError(`all models failed for ${request.taskType}: ${summary}`, {
        details: { attempts, routeDecision: plan.decision },
      }),
    );
  } catch (error) {
    if (isCancellation(error)) {
      upsertSearchAttributes([{ key: LlmStatus, value: 'cancelled' }]);
      report({ status: 'cancelled', usage: totalUsage(status.attempts), costUsd: 0, cached: false });
      throw error;
    }
    if (status.stage === 'failed') throw error;
    // Render/plan failures (bad template, unknown model): surface the typed root failure itself.
    const root = rootFailure(error);
    throw fail(root ?? ApplicationFailure.nonRetryable(String(error), 'InternalError'));
  }
}
