// The route plan: which models a request will try, in order, and why. Made by the planRoute local
// activity (so live facts like provider health are recorded in history) and walked by the workflow.
import type { ModelCallMode, ModelSpec } from './catalog.js';
import type { LlmRequest } from './request.js';

export interface PlannedModel {
  model: ModelSpec;
  /** Why this model is in the plan: preferred | candidate | fallback | default. */
  role: 'preferred' | 'candidate' | 'fallback' | 'default';
  /** Estimated prompt tokens with this model's tokenizer. */
  promptTokens: number;
  /** Estimated cost in US dollars of this prompt plus the reserved output on this model. */
  estimatedCostUsd: number;
  /** Task queue of this model's provider calls, when providers have their own queues. */
  activityTaskQueue?: string;
}

export interface SkippedModel {
  model: string;
  reason: string;
}

/** Retry policy for provider calls on one model, as data so it is recorded with the plan. */
export interface ProviderRetry {
  maxAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maxIntervalMs: number;
  /**
   * How long a call may go without a heartbeat before the server retries it elsewhere (a dead worker
   * is noticed this late). A call beats at most every half of it, so with many calls in flight a
   * longer one means fewer heartbeats (activities/heartbeats.ts). Absent (and in plans recorded
   * before it existed): 10 s.
   */
  heartbeatTimeoutMs?: number;
}

/**
 * Exponential back-off with jitter in [50%, 100%] of the step, capped: the wait before try
 * `tryNumber + 1` (the first try is 1).
 */
export function backoffMs(
  policy: Pick<ProviderRetry, 'initialIntervalMs' | 'backoffCoefficient' | 'maxIntervalMs'>,
  tryNumber: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(
    policy.maxIntervalMs,
    policy.initialIntervalMs * policy.backoffCoefficient ** (tryNumber - 1),
  );
  return Math.round(step * (0.5 + random() * 0.5));
}

/** A provider call's heartbeat timeout when its retry policy names none. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 10_000;

/** A model skipped because its circuit is open, and when it may be tried again. */
export interface Cooldown {
  model: string;
  /** Epoch ms when the circuit lets a probe through. */
  openUntil: number;
}

export interface RoutePlan {
  taskType: string;
  models: PlannedModel[];
  skipped: SkippedModel[];
  cooldowns: Cooldown[];
  /** A sentence an operator can read: why this order. */
  decision: string;
  maxOutputTokens: number;
  tokenBudget: number;
  cacheTtlSeconds: number;
  retry: ProviderRetry;
  /** How many times a model is re-asked with validation errors before the next model is tried. */
  maxRepairs: number;
  /** How each model runs (see RoutingPolicy.modelCalls); absent in plans recorded before it existed: child. */
  modelCalls?: ModelCallMode;
}

/**
 * How long to wait for the preferred model's cooldown before planning again, when the caller prefers
 * that to a fallback and the wait fits what it allows; undefined to go on with the plan as it is.
 */
export function cooldownWaitMs(
  request: Pick<LlmRequest, 'model' | 'waitForCooldownSeconds'>,
  plan: Pick<RoutePlan, 'cooldowns'>,
  now: number,
): number | undefined {
  const cooldown = plan.cooldowns.find((c) => c.model === request.model);
  if (!cooldown || !request.waitForCooldownSeconds) return undefined;
  const waitMs = cooldown.openUntil - now;
  return waitMs > request.waitForCooldownSeconds * 1000 ? undefined : Math.max(waitMs, 1);
}
