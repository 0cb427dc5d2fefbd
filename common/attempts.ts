// The one place an `Attempt` (a line of a result's `attempts[]`) is built: a skipped model, the failed
// tries of a provider call, its answer, and an answer that failed validation. Pure, so the workflows
// build them in their own code; the shapes are what results and recorded histories carry.
import type { ModelSpec } from './catalog.js';
import type { Attempt, TokenUsage } from './request.js';

/** A failed try of the provider activity, carried from attempt to attempt in heartbeat details. */
export interface FailedTry {
  try: number;
  errorType: string;
  message: string;
  durationMs: number;
  status?: number;
}

/**
 * A provider call that answered and was billed (the ledger counted it) but whose activity attempt was
 * lost before it completed, e.g. its worker was killed: a later attempt found it in the ledger.
 */
export interface LostCall {
  try: number;
  usage: TokenUsage;
  costUsd: number;
}

/** Failure type of an attempt whose answer was billed but lost with its worker. */
export const ANSWER_LOST = 'AnswerLostError';

/** What a provider call that answered reports about itself. */
export interface AnsweredCall {
  durationMs: number;
  usage: TokenUsage;
  costUsd: number;
  try: number;
}

/** A model that was not called, and why. `provider` is empty when the plan did not resolve it. */
export function skippedAttempt(model: string, provider: string, reason: string): Attempt {
  return { model, provider, outcome: 'skipped', error: reason, durationMs: 0 };
}

/** The failed tries of one provider call, one attempt each. */
export function failedTryAttempts(model: ModelSpec, tries: readonly FailedTry[], repair: boolean): Attempt[] {
  return tries.map((t) => ({
    model: model.id,
    provider: model.provider,
    outcome: 'failed',
    errorType: t.errorType,
    error: t.message,
    durationMs: t.durationMs,
    try: t.try,
    ...(repair ? { repair } : {}),
  }));
}

/** Calls billed but lost with their worker: failed tries that still used tokens and cost money. */
export function lostCallAttempts(model: ModelSpec, calls: readonly LostCall[], repair: boolean): Attempt[] {
  return calls.map((c) => ({
    model: model.id,
    provider: model.provider,
    outcome: 'failed',
    errorType: ANSWER_LOST,
    error:
      'the provider answered and billed this call, but its worker was lost before the activity completed',
    durationMs: 0,
    usage: c.usage,
    costUsd: c.costUsd,
    try: c.try,
    ...(repair ? { repair } : {}),
  }));
}

/** A provider call that answered. */
export function answeredAttempt(model: ModelSpec, call: AnsweredCall, repair: boolean): Attempt {
  return {
    model: model.id,
    provider: model.provider,
    outcome: 'success',
    durationMs: call.durationMs,
    usage: call.usage,
    costUsd: call.costUsd,
    try: call.try,
    ...(repair ? { repair: true } : {}),
  };
}

/** An answer that was paid for but is not usable: it counts as a failed try of that model. */
export function rejectedAttempt(answered: Attempt, errorType: string, errors: readonly string[]): Attempt {
  return { ...answered, outcome: 'failed', errorType, error: errors.join('; ') };
}
