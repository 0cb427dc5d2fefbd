// cacheLookup / cacheStore: the response cache as activities. The workflow looks up after planRoute
// (a hit returns the stored answer with `cached: true` and no provider call) and stores after a
// successful answer. A broken cache back-end never fails a request: it reads as a miss, with the
// reason in history. An embedding the semantic cache paid for is the request's: a ledger entry, a
// budget charge, and usage and cost the workflow adds to the result.
import { Context } from '@temporalio/activity';
import { COST_KINDS, costBreakdown, costUsd, type ModelCatalog } from '../common/catalog.js';
import type { RoutePlan } from '../common/plan.js';
import type { LlmRequest, TokenUsage } from '../common/request.js';
import type { SpendBudgets } from '../core/budget/spendBudgets.js';
import { type CacheKeySource, cacheKeyInput } from '../core/cache/key.js';
import type {
  CacheLookupResult,
  CacheStoreResult,
  EmbeddingCall,
  ResponseCache,
} from '../core/cache/responseCache.js';
import type { CachedAnswer, CacheMode } from '../core/cache/types.js';
import type { UsageLedger } from '../core/usage/types.js';

export interface CacheActivityDeps {
  cache: ResponseCache;
  /** Where embeddings are counted and charged; absent, they are only reported. */
  usage?: UsageLedger;
  budgets?: SpendBudgets;
  /** Prices the embedding models (models.yaml embeddingModels). */
  catalog?: () => ModelCatalog;
}

/** The request's own id and caller, for the ledger and budgets (the workflow passes the request whole). */
type Billable = { request: CacheKeySource['request'] & Partial<Pick<LlmRequest, 'requestId' | 'caller'>> };

export interface CacheLookupInput extends Omit<CacheKeySource, 'request'>, Billable {
  /** The request's cache mode; read-write when it does not say. */
  mode?: CacheMode;
}

export interface CacheStoreInput extends Omit<CacheKeySource, 'request'>, Billable {
  plan: Pick<RoutePlan, 'maxOutputTokens' | 'cacheTtlSeconds'>;
  mode?: CacheMode;
  answer: CachedAnswer;
}

/** An embedding the provider billed, priced: what the request's usage and cost add. */
export interface BilledEmbedding extends EmbeddingCall {
  provider: string;
  usage: TokenUsage;
  costUsd: number;
}

type Billed<T> = T extends unknown ? Omit<T, 'embedding'> & { embedding?: BilledEmbedding } : never;
export type CacheLookupOutput = Billed<CacheLookupResult>;
export type CacheStoreOutput = Billed<CacheStoreResult>;

export interface CacheActivities {
  cacheLookup(input: CacheLookupInput): Promise<CacheLookupOutput>;
  cacheStore(input: CacheStoreInput): Promise<CacheStoreOutput>;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function createCacheActivities(deps: CacheActivityDeps): CacheActivities {
  /** Prices the embedding, counts it in the ledger and charges it to the caller's budgets, once. */
  async function bill(input: Billable, call: EmbeddingCall, step: string): Promise<BilledEmbedding> {
    const spec = deps.catalog?.().embeddingModels?.[call.model];
    const usage: TokenUsage = { inputTokens: call.tokens, outputTokens: 0, totalTokens: call.tokens };
    const pricing = spec?.pricing ?? { inputPerMillion: 0, outputPerMillion: 0 };
    const cost = costUsd(pricing, usage);
    const units = costBreakdown(pricing, usage);
    const billed = { ...call, provider: spec?.provider ?? 'unknown', usage, costUsd: cost };
    if (!deps.usage && !deps.budgets) return billed;
    const { info } = Context.current();
    const workflowId = info.workflowExecution?.workflowId ?? 'standalone';
    const { requestId, taskType, caller } = input.request;
    // Local activities number their ids apart from normal ones: the step keeps the keys distinct.
    const callKey = `${workflowId}/${step}/${info.activityId}/${info.attempt}`;
    const counted = await deps.usage
      ?.record({
        callKey,
        requestId: requestId ?? workflowId,
        taskType,
        model: call.model,
        provider: billed.provider,
        usage,
        costUsd: cost,
        costByKind: Object.fromEntries(
          COST_KINDS.filter((k) => units[k] > 0).map((k) => [k, units[k] / 1e8]),
        ),
        purpose: 'embedding',
        at: Date.now(),
        ...(caller !== undefined ? { caller } : {}),
      })
      .catch(() => false);
    if (counted && cost > 0) await deps.budgets?.charge(callKey, cost, caller).catch(() => undefined);
    return billed;
  }

  return {
    async cacheLookup(input) {
      const key = cacheKeyInput(input);
      try {
        const { embedding, ...result } = await deps.cache.lookup(key, input.mode ?? 'read-write');
        if (!embedding) return result;
        return { ...result, embedding: await bill(input, embedding, 'cache-lookup') };
      } catch (error) {
        return { hit: false, key: '', reason: `cache unavailable: ${message(error)}` };
      }
    },
    async cacheStore(input) {
      const key = cacheKeyInput(input);
      try {
        const { embedding, ...result } = await deps.cache.save(key, input.answer, {
          mode: input.mode ?? 'read-write',
          ttlSeconds: input.plan.cacheTtlSeconds,
        });
        if (!embedding) return result;
        return { ...result, embedding: await bill(input, embedding, 'cache-store') };
      } catch (error) {
        return { stored: false, key: '', reason: `cache unavailable: ${message(error)}` };
      }
    },
  };
}
