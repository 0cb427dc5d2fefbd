// A request's bookkeeping around its model calls: before them render, plan, look up the cache and
// admit the budget; after them settle the budget and store the answer. New runs do each half in one
// local activity (activities/requestSteps.ts), so the workflow is woken twice for them, not six
// times; runs recorded before that replay the separate steps, in the same order.
import { proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { CacheLookupOutput, CacheStoreInput, CacheStoreOutput } from '../activities/cache.js';
import type { Activities } from '../activities/index.js';
import { cooldownWaitMs, type RoutePlan } from '../common/plan.js';
import { type RenderedPrompt, renderInput } from '../common/prompt.js';
import type { Attempt, LlmRequest } from '../common/request.js';
import { FOLDED_REQUEST_STEPS, hasChange } from './patches.js';
import { type RequestTracker, spentUsd } from './requestTracker.js';

const { renderPrompt, planRoute } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

// Cache and budget steps: fast, so local activities (markers in history, no extra task).
const { cacheLookup, cacheStore, admitRequest, settleRequest } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

// Rendering and planning with the cache and budget steps: the separate steps' timeouts added up.
const { beginRequest, finishRequest } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '60 seconds',
  retry: { maximumAttempts: 3 },
});

/** What the request has before its first model call: a cache hit, or an admitted budget. */
export interface Begun {
  rendered: RenderedPrompt;
  plan: RoutePlan;
  /** The cache's answer, or why it had none; absent when the request's cache is off. */
  lookup?: CacheLookupOutput;
}

export class RequestSteps {
  private readonly folded = hasChange(FOLDED_REQUEST_STEPS);
  /** Admitted and not yet settled: the reservation must be settled however the request ends. */
  private owed = false;

  constructor(
    private readonly request: LlmRequest,
    private readonly tracker: RequestTracker,
  ) {}

  get owesSettlement(): boolean {
    return this.owed;
  }

  /** Renders, plans (waiting out the preferred model's cooldown when asked), looks up, admits. */
  async begin(admitTtlSeconds: number): Promise<Begun> {
    const { request, tracker } = this;
    tracker.stage('rendering');
    if (!this.folded) return this.beginStepByStep(admitTtlSeconds);
    let begun = await beginRequest({ request, admitTtlSeconds });
    tracker.rendered(begun.rendered);
    if (begun.step === 'wait_for_cooldown') {
      tracker.stage('waiting_for_cooldown');
      await sleep(begun.waitMs);
      tracker.stage('planning');
      begun = await beginRequest({ request, admitTtlSeconds, rendered: begun.rendered });
    }
    if (begun.step === 'admitted') this.owed = true;
    // A second beginRequest never asks for a wait: after one, the plan is taken as it is.
    const lookup = begun.step === 'wait_for_cooldown' ? undefined : begun.lookup;
    return { rendered: begun.rendered, plan: begun.plan, ...(lookup ? { lookup } : {}) };
  }

  /** Settles the budget with what the calls cost and, given an answer to keep, stores it. */
  async finish(attempts: Attempt[], store?: CacheStoreInput): Promise<CacheStoreOutput | undefined> {
    if (!this.folded) {
      await this.settle(attempts);
      return store ? cacheStore(store) : undefined;
    }
    const finished = await finishRequest({ settle: this.settlement(attempts), ...(store ? { store } : {}) });
    this.owed = false;
    return finished.stored;
  }

  /** Charges what the calls so far cost and lets the rest of the reservation go. */
  async settle(attempts: Attempt[]): Promise<void> {
    await settleRequest(this.settlement(attempts));
    this.owed = false;
  }

  private settlement(attempts: Attempt[]) {
    return { requestId: this.request.requestId, costUsd: spentUsd(attempts) };
  }

  /** Runs recorded before the fold: each step its own local activity. */
  private async beginStepByStep(admitTtlSeconds: number): Promise<Begun> {
    const { request, tracker } = this;
    const rendered = await renderPrompt(renderInput(request));
    tracker.rendered(rendered);
    tracker.stage('planning');
    let plan = await planRoute({ request, messages: rendered.messages });
    const waitMs = cooldownWaitMs(request, plan, Date.now());
    if (waitMs !== undefined) {
      tracker.stage('waiting_for_cooldown');
      await sleep(waitMs);
      tracker.stage('planning');
      plan = await planRoute({ request, messages: rendered.messages });
    }
    const mode = request.cache ?? 'read-write';
    let lookup: CacheLookupOutput | undefined;
    if (mode !== 'off') {
      lookup = await cacheLookup({ request, rendered, plan, mode });
      if (lookup.hit) return { rendered, plan, lookup };
    }
    await admitRequest({
      requestId: request.requestId,
      plan,
      ttlSeconds: admitTtlSeconds,
      ...(request.caller ? { caller: request.caller } : {}),
    });
    this.owed = true;
    return { rendered, plan, ...(lookup ? { lookup } : {}) };
  }
}
