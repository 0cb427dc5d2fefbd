// What a request shows operators while it runs and when it ends: the `status` query, search
// attributes and memo in the Temporal UI, and one outcome reported to the metrics sink.
import type { ApplicationFailure } from '@temporalio/common';
import { setHandler, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type { RoutePlan } from '../common/plan.js';
import type { RenderedPrompt } from '../common/prompt.js';
import type { Attempt, LlmRequest, LlmResult, TokenUsage } from '../common/request.js';
import { addUsage, ZERO_USAGE } from '../common/usage.js';
import { type RequestStage, type RequestStatus, statusQuery } from './definitions.js';
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

/** Tokens of every provider call a request made (retries, repairs and failed models included). */
export function totalUsage(attempts: Attempt[]): TokenUsage {
  return attempts.reduce((sum, attempt) => (attempt.usage ? addUsage(sum, attempt.usage) : sum), ZERO_USAGE);
}

/** Dollars of every provider call a request made. */
export const spentUsd = (attempts: Attempt[]): number =>
  attempts.reduce((sum, a) => sum + (a.costUsd ?? 0), 0);

export class RequestTracker {
  readonly status: RequestStatus = { stage: 'rendering', modelsPlanned: [], cooldowns: [], attempts: [] };
  private readonly startedAt = Date.now();

  constructor(private readonly request: LlmRequest) {
    setHandler(statusQuery, () => this.status);
    upsertSearchAttributes([
      { key: LlmTaskType, value: request.taskType },
      { key: LlmTemplateId, value: request.templateId },
      { key: LlmStatus, value: 'running' },
      ...(request.caller ? [{ key: LlmCaller, value: request.caller }] : []),
    ]);
  }

  stage(stage: RequestStage): void {
    this.status.stage = stage;
  }

  rendered(rendered: RenderedPrompt): void {
    this.status.templateVersion = rendered.version;
    upsertSearchAttributes([
      { key: LlmTemplateVersion, value: rendered.version },
      ...(rendered.variant ? [{ key: LlmVariant, value: rendered.variant }] : []),
    ]);
    // The memo shows in the UI's summary: which template version (and variant) served this request.
    upsertMemo({
      template: `${rendered.templateId}@${rendered.version}`,
      ...(rendered.variant ? { variant: rendered.variant } : {}),
    });
  }

  planned(plan: RoutePlan): void {
    this.status.modelsPlanned = plan.models.map((p) => p.model.id);
    this.status.cooldowns = plan.cooldowns;
  }

  /** The request answered (from a model or the cache): tag it and count it. */
  succeeded(result: LlmResult): LlmResult {
    this.status.stage = 'completed';
    upsertSearchAttributes([
      { key: LlmStatus, value: 'completed' },
      { key: LlmModel, value: result.model },
      { key: LlmProvider, value: result.provider },
      ...(result.cached
        ? []
        : [
            { key: LlmCostUsd, value: result.costUsd },
            { key: LlmTotalTokens, value: totalUsage(this.status.attempts).totalTokens },
          ]),
    ]);
    this.report({
      status: 'success',
      model: result.model,
      provider: result.provider,
      usage: result.usage,
      costUsd: result.costUsd,
      cached: result.cached,
    });
    return result;
  }

  /** The request failed for good: tag it, count it, and hand the failure back to be thrown. */
  failed(error: ApplicationFailure): ApplicationFailure {
    this.status.stage = 'failed';
    upsertSearchAttributes([{ key: LlmStatus, value: 'failed' }]);
    const last = this.status.attempts.findLast((a) => a.outcome !== 'skipped');
    this.report({
      status: 'failed',
      usage: totalUsage(this.status.attempts),
      costUsd: spentUsd(this.status.attempts),
      cached: false,
      ...(error.type ? { errorType: error.type } : {}),
      ...(last ? { model: last.model, provider: last.provider } : {}),
    });
    return error;
  }

  cancelled(): void {
    upsertSearchAttributes([{ key: LlmStatus, value: 'cancelled' }]);
    this.report({ status: 'cancelled', usage: totalUsage(this.status.attempts), costUsd: 0, cached: false });
  }

  private report(
    outcome: Pick<RequestOutcome, 'status' | 'usage' | 'costUsd' | 'cached'> & Partial<RequestOutcome>,
  ): void {
    metrics.requestFinished({
      requestId: this.request.requestId,
      taskType: this.request.taskType,
      templateId: this.request.templateId,
      attempts: this.status.attempts,
      durationMs: Date.now() - this.startedAt,
      ...(this.status.templateVersion ? { templateVersion: this.status.templateVersion } : {}),
      ...(this.request.caller ? { caller: this.request.caller } : {}),
      ...outcome,
    });
  }
}
