// beginRequest / finishRequest: a request's bookkeeping around its model calls, as one local
// activity each. beginRequest renders, plans, looks up the cache and admits the budget; finishRequest
// settles the budget and stores the answer. Each runs the very steps that were separate local
// activities (runs recorded before the fold still call those), so every decision is the same and is
// recorded in one result; the request's workflow is woken twice for them instead of six times.
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { Context } from '@temporalio/activity';
import { cooldownWaitMs, type RoutePlan } from '../common/plan.js';
import { type RenderedPrompt, type RenderPromptInput, renderInput } from '../common/prompt.js';
import type { LlmRequest } from '../common/request.js';
import type { Admission, Settlement } from '../core/budget/spendBudgets.js';
import type { AdmitRequestInput, SettleRequestInput } from './budget.js';
import type { CacheActivities, CacheLookupOutput, CacheStoreInput, CacheStoreOutput } from './cache.js';
import type { PlanRouteInput } from './plan.js';

export interface BeginRequestInput {
  request: LlmRequest;
  /** How long the budget reservation holds if the request never settles. */
  admitTtlSeconds: number;
  /** Set after a wait for the preferred model's cooldown: render as before, plan again, go on. */
  rendered?: RenderedPrompt;
}

/** Where beginRequest stopped: waiting for a cooldown, answered from the cache, or admitted. */
export type BeginRequestResult =
  | { step: 'wait_for_cooldown'; rendered: RenderedPrompt; plan: RoutePlan; waitMs: number }
  | {
      step: 'cache_hit';
      rendered: RenderedPrompt;
      plan: RoutePlan;
      lookup: CacheLookupOutput & { hit: true };
    }
  | {
      step: 'admitted';
      rendered: RenderedPrompt;
      plan: RoutePlan;
      /** Absent when the request's cache is off. */
      lookup?: CacheLookupOutput & { hit: false };
      admission: Admission;
    };

export interface FinishRequestInput {
  settle: SettleRequestInput;
  /** The answer to keep, with what its cache key is made of; absent when nothing is stored. */
  store?: CacheStoreInput;
}

export interface FinishRequestResult {
  settlement: Settlement;
  stored?: CacheStoreOutput;
}

export interface RequestStepActivities {
  beginRequest(input: BeginRequestInput): Promise<BeginRequestResult>;
  finishRequest(input: FinishRequestInput): Promise<FinishRequestResult>;
}

/** The separate steps the folded ones are made of. */
export interface RequestSteps {
  renderPrompt(input: RenderPromptInput): Promise<RenderedPrompt>;
  planRoute(input: PlanRouteInput): Promise<RoutePlan>;
  cacheLookup: CacheActivities['cacheLookup'];
  cacheStore: CacheActivities['cacheStore'];
  admitRequest(input: AdmitRequestInput): Promise<Admission>;
  settleRequest(input: SettleRequestInput): Promise<Settlement>;
}

/**
 * When the activity runs in a span (the worker traces: workers/tracing.ts), each step is a span of its
 * own under it, as when it was an activity of its own; otherwise the step just runs.
 */
function spanned<T>(name: string, run: () => Promise<T>): Promise<T> {
  if (!trace.getActiveSpan()) return run();
  // Named like the activity's own span (its interceptor's keys), so a search by workflow finds it.
  const { workflowExecution, activityId } = Context.current().info;
  const attributes = {
    ...(workflowExecution ? { temporalWorkflowId: workflowExecution.workflowId } : {}),
    temporalActivityId: activityId,
  };
  return trace.getTracer('llm-orchestrator').startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await run();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

export function createRequestStepActivities(separate: RequestSteps): RequestStepActivities {
  const steps: RequestSteps = {
    renderPrompt: (input) => spanned('renderPrompt', () => separate.renderPrompt(input)),
    planRoute: (input) => spanned('planRoute', () => separate.planRoute(input)),
    cacheLookup: (input) => spanned('cacheLookup', () => separate.cacheLookup(input)),
    cacheStore: (input) => spanned('cacheStore', () => separate.cacheStore(input)),
    admitRequest: (input) => spanned('admitRequest', () => separate.admitRequest(input)),
    settleRequest: (input) => spanned('settleRequest', () => separate.settleRequest(input)),
  };
  return {
    async beginRequest({ request, admitTtlSeconds, rendered: renderedBefore }) {
      const rendered = renderedBefore ?? (await steps.renderPrompt(renderInput(request)));
      const plan = await steps.planRoute({ request, messages: rendered.messages });
      if (!renderedBefore) {
        const waitMs = cooldownWaitMs(request, plan, Date.now());
        if (waitMs !== undefined) return { step: 'wait_for_cooldown', rendered, plan, waitMs };
      }
      const mode = request.cache ?? 'read-write';
      const lookup = mode === 'off' ? undefined : await steps.cacheLookup({ request, rendered, plan, mode });
      if (lookup?.hit) return { step: 'cache_hit', rendered, plan, lookup };
      const admission = await steps.admitRequest({
        requestId: request.requestId,
        plan,
        ttlSeconds: admitTtlSeconds,
        ...(request.caller ? { caller: request.caller } : {}),
      });
      return { step: 'admitted', rendered, plan, ...(lookup ? { lookup } : {}), admission };
    },
    async finishRequest({ settle, store }) {
      const settlement = await steps.settleRequest(settle);
      if (!store) return { settlement };
      return { settlement, stored: await steps.cacheStore(store) };
    },
  };
}
