// Adding up usage in integer units, shared by both ledgers.
import { COST_KINDS, type CostKind } from '../../common/catalog.js';
import { UNITS_PER_USD, usdToUnits } from '../budget/money.js';
import {
  METRICS,
  type Metric,
  TOKEN_METRICS,
  type UsageRecord,
  type UsageRow,
  type UsageTotals,
} from './types.js';

export type Counts = Record<Metric, number>;

export const emptyCounts = (): Counts => Object.fromEntries(METRICS.map((m) => [m, 0])) as Counts;

export function countsOf(record: UsageRecord): Counts {
  const counts = emptyCounts();
  counts.calls = 1;
  counts.embeddingCalls = record.purpose === 'embedding' ? 1 : 0;
  for (const metric of TOKEN_METRICS) counts[metric] = record.usage[metric] ?? 0;
  counts.costUnits = usdToUnits(record.costUsd);
  for (const kind of COST_KINDS) counts[`cost.${kind}`] = usdToUnits(record.costByKind?.[kind] ?? 0);
  return counts;
}

export function addCounts(into: Counts, more: Partial<Counts>): void {
  for (const metric of Object.keys(into) as Metric[]) into[metric] += more[metric] ?? 0;
}

export function toTotals(counts: Counts): UsageTotals {
  const costByKind = {} as Record<CostKind, number>;
  for (const kind of COST_KINDS) costByKind[kind] = counts[`cost.${kind}`] / UNITS_PER_USD;
  return {
    calls: counts.calls,
    embeddingCalls: counts.embeddingCalls,
    inputTokens: counts.inputTokens,
    outputTokens: counts.outputTokens,
    cachedInputTokens: counts.cachedInputTokens,
    cacheWriteTokens: counts.cacheWriteTokens,
    cacheWrite1hTokens: counts.cacheWrite1hTokens,
    reasoningTokens: counts.reasoningTokens,
    imageInputTokens: counts.imageInputTokens,
    costUsd: counts.costUnits / UNITS_PER_USD,
    costByKind,
  };
}

/** Rows from per-key counts, highest cost first, then by name. */
export function toRows(byKey: Map<string, Counts>): UsageRow[] {
  return [...byKey.entries()]
    .map(([key, counts]) => ({ key, ...toTotals(counts) }))
    .sort((a, b) => b.costUsd - a.costUsd || a.key.localeCompare(b.key));
}
