// Turns one finished request into metric increments. Every figure comes from the request's outcome
// (reported once per real run by the workflow's sink), and each provider call, retry, fallback and
// repair in its attempt list is counted once.
import { COST_KINDS, costBreakdown, type ModelPricing } from '../common/catalog.js';
import type { Attempt } from '../common/request.js';
import { type UsagePart, usdToUnits } from '../common/usage.js';
import type { RequestOutcome } from '../workflows/sinks.js';
import type { OrchestratorMetrics } from './metrics.js';

/** Label value when a request never reached a model (e.g. its template did not render). */
export const NO_MODEL = 'none';
/** Label value for requests that did not say who asked. */
export const UNKNOWN_CALLER = 'unknown';
const UNKNOWN_ERROR = 'UnknownError';
const RATE_LIMIT_ERROR = 'RateLimitError';
const INVALID_RESPONSE_ERROR = 'InvalidResponseError';

/** A model's prices by id (the worker's catalog), to split each call's cost by kind of token. */
export type PriceOf = (model: string) => ModelPricing | undefined;

const TOKEN_TYPES: Record<UsagePart, string> = {
  cachedInputTokens: 'cached_input',
  cacheWriteTokens: 'cache_write',
  cacheWrite1hTokens: 'cache_write_1h',
  reasoningTokens: 'reasoning',
  imageInputTokens: 'image_input',
};

export function recordRequestOutcome(
  metrics: OrchestratorMetrics,
  outcome: RequestOutcome,
  priceOf: PriceOf = () => undefined,
): void {
  const task_type = outcome.taskType;
  const model = outcome.model ?? NO_MODEL;
  metrics.requests.inc({ task_type, model, status: outcome.status });
  metrics.latency.observe({ task_type, model }, outcome.durationMs / 1000);
  if (outcome.status === 'failed')
    metrics.errors.inc({ task_type, model, error_type: outcome.errorType ?? UNKNOWN_ERROR });
  const caller = outcome.caller ?? UNKNOWN_CALLER;
  // What the request paid beyond its model calls: the semantic cache's embeddings.
  const embeddingUnits =
    usdToUnits(outcome.costUsd) - outcome.attempts.reduce((sum, a) => sum + usdToUnits(a.costUsd ?? 0), 0);
  if (outcome.status === 'success' && embeddingUnits > 0) {
    const usd = embeddingUnits / 1e8;
    metrics.costByKind.inc({ task_type, model, kind: 'embedding' }, usd);
    metrics.costByCaller.inc({ caller }, usd);
  }
  if (outcome.cached) {
    // A cache hit made no model call: nothing else was spent, retried or fallen back from.
    metrics.cacheHits.inc({ task_type });
    return;
  }
  recordAttempts(metrics, task_type, caller, outcome.attempts, priceOf);
}

function recordAttempts(
  metrics: OrchestratorMetrics,
  task_type: string,
  caller: string,
  attempts: Attempt[],
  priceOf: PriceOf,
): void {
  // Skipped models were never called: they are neither tries nor the ends of a fallback.
  const calls = attempts.filter((a) => a.outcome !== 'skipped');
  let spent = 0;
  for (const [index, call] of calls.entries()) {
    const previous = calls[index - 1];
    const next = calls[index + 1];
    const model = call.model;
    if (call.usage) {
      metrics.tokens.inc({ task_type, model, token_type: 'input' }, call.usage.inputTokens);
      metrics.tokens.inc({ task_type, model, token_type: 'output' }, call.usage.outputTokens);
      for (const [part, token_type] of Object.entries(TOKEN_TYPES) as [UsagePart, string][]) {
        const count = call.usage[part];
        if (count) metrics.tokens.inc({ task_type, model, token_type }, count);
      }
    }
    if (call.costUsd) {
      metrics.cost.inc({ task_type, model }, call.costUsd);
      spent += call.costUsd;
      const pricing = call.usage ? priceOf(model) : undefined;
      if (pricing && call.usage) {
        const units = costBreakdown(pricing, call.usage);
        for (const kind of COST_KINDS)
          if (units[kind] > 0) metrics.costByKind.inc({ task_type, model, kind }, units[kind] / 1e8);
      }
    }
    if (call.outcome === 'failed') {
      const error_type = call.errorType ?? UNKNOWN_ERROR;
      metrics.errors.inc({ task_type, model, error_type });
      if (error_type === RATE_LIMIT_ERROR) metrics.rateLimitWaits.inc({ model });
      if (next?.model === model) metrics.retries.inc({ task_type, model, error_type });
    }
    if (next && next.model !== model)
      metrics.fallbacks.inc({ task_type, from_model: model, to_model: next.model });
    if (startsRepair(call, previous)) metrics.repairs.inc({ task_type, model });
  }
  if (spent > 0) metrics.costByCaller.inc({ caller }, spent);
}

/**
 * A repair is one re-ask with validation errors. Its first call follows the invalid answer; later
 * calls of the same re-ask (retries after a 429, say) are retries, not more repairs.
 */
function startsRepair(call: Attempt, previous: Attempt | undefined): boolean {
  if (!call.repair) return false;
  if (!previous || previous.model !== call.model || !previous.repair) return true;
  return previous.errorType === INVALID_RESPONSE_ERROR;
}
