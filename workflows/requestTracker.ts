// What a request shows operators while it runs and when it ends: the `status` query, the current
// details, search attributes and memo in the Temporal UI, and one outcome reported to the metrics sink.
// Search attributes and memo are written in as few commands as possible (each is a history event and
// a visibility write): what is known at start comes from the start options, the rest waits for the end
// of the request or for a durable wait, whichever comes first.
import type { ApplicationFailure, SearchAttributePair } from '@temporalio/common';
import {
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RoutePlan } from '../common/plan.js';
import type { RenderedPrompt } from '../common/prompt.js';
import type { Attempt, LlmRequest, LlmResult, TokenUsage } from '../common/request.js';
import { addUsage, sumUsd, ZERO_USAGE } from '../common/usage.js';
import { type RequestStage, type RequestStatus, statusQuery } from './definitions.js';
import { BATCHED_SEARCH_ATTRIBUTES, hasChange } from './patches.js';
import {
  LlmCostUsd,
  LlmModel,
  LlmProvider,
  LlmStatus,
  LlmTemplateVersion,
  LlmTotalTokens,
  LlmVariant,
  startSearchAttributes,
} from './searchAttributes.js';
import { metrics, type RequestOutcome } from './sinks.js';

/** Tokens of every provider call a request made (retries, repairs and failed models included). */
export function totalUsage(attempts: Attempt[]): TokenUsage {
  return attempts.reduce((sum, attempt) => (attempt.usage ? addUsage(sum, attempt.usage) : sum), ZERO_USAGE);
}

/** Dollars of every provider call a request made, added exactly (integer units of 1e-8). */
export const spentUsd = (attempts: Attempt[]): number => sumUsd(attempts.map((a) => a.costUsd ?? 0));

export class RequestTracker {
  readonly status: RequestStatus = { stage: 'rendering', modelsPlanned: [], cooldowns: [], attempts: [] };
  private readonly startedAt = Date.now();
  private pendingAttributes: SearchAttributePair[] = [];
  private pendingMemo: Record<string, string> | undefined;
  /**
   * Requests that began before attributes were batched wrote them at each step; their histories
   * replay that way (docs/determinism.md: how patched() keeps old histories replaying).
   */
  private readonly batched = hasChange(BATCHED_SEARCH_ATTRIBUTES);

  constructor(private readonly request: LlmRequest) {
    setHandler(statusQuery, () => this.status);
    // Started by our client, the request already carries these; started by a parent, it does not.
    const started = workflowInfo().typedSearchAttributes.get(LlmStatus) !== undefined;
    if (!started) this.pendingAttributes.push(...startSearchAttributes(request));
    if (!this.batched) this.flush();
  }

  stage(stage: RequestStage): void {
    this.status.stage = stage;
    setCurrentDetails(`${stage}${this.status.currentModel ? ` · ${this.status.currentModel}` : ''}`);
    // Before a durable wait, make the request findable by what is known so far.
    if (stage === 'deferred' || stage === 'waiting_for_cooldown') this.flush();
  }

  calling(model: string): void {
    this.status.currentModel = model;
    this.stage('calling');
  }

  rendered(rendered: RenderedPrompt): void {
    this.status.templateVersion = rendered.version;
    this.pendingAttributes.push(
      { key: LlmTemplateVersion, value: rendered.version },
      ...(rendered.variant ? [{ key: LlmVariant, value: rendered.variant }] : []),
    );
    // The memo shows in the UI's summary: which template version (and variant) served this request.
    this.pendingMemo = {
      template: `${rendered.templateId}@${rendered.version}`,
      ...(rendered.variant ? { variant: rendered.variant } : {}),
    };
    if (!this.batched) this.flush();
  }

  /** Writes what is pending, with `final` (the outcome) when the request ends: one command each. */
  private flush(final: SearchAttributePair[] = []): void {
    const attributes = [...this.pendingAttributes, ...final];
    this.pendingAttributes = [];
    if (attributes.length > 0) upsertSearchAttributes(attributes);
    if (this.pendingMemo) upsertMemo(this.pendingMemo);
    this.pendingMemo = undefined;
  }

  planned(plan: RoutePlan): void {
    this.status.modelsPlanned = plan.models.map((p) => p.model.id);
    this.status.cooldowns = plan.cooldowns;
  }

  /** The request answered (from a model or the cache): tag it and count it. */
  succeeded(result: LlmResult): LlmResult {
    this.stage('completed');
    this.flush([
      { key: LlmStatus, value: 'completed' },
      { key: LlmModel, value: result.model },
      { key: LlmProvider, value: result.provider },
      ...(result.cached
        ? []
        : [
            { key: LlmCostUsd, value: result.costUsd },
            // The result's tokens: every call it paid for, its cache lookup's embedding included.
            { key: LlmTotalTokens, value: result.usage.totalTokens },
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
    this.stage('failed');
    this.flush([{ key: LlmStatus, value: 'failed' }]);
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
    this.flush([{ key: LlmStatus, value: 'cancelled' }]);
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
