// Adding up usage in integer units, shared by both ledgers.
import { UNITS_PER_USD, usdToUnits } from '../budget/money.js';
import type { Metric, UsageRecord, UsageRow, UsageTotals } from './types.js';

export type Counts = Record<Metric, number>;

export const emptyCounts = (): Counts => ({
  calls: 0,
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  costUnits: 0,
});

export function countsOf(record: UsageRecord): Counts {
  return {
    calls: 1,
    inputTokens: record.usage.inputTokens,
    outputTokens: record.usage.outputTokens,
    cachedInputTokens: record.usage.cachedInputTokens ?? 0,
    costUnits: usdToUnits(record.costUsd),
  };
}

export function addCounts(into: Counts, more: Partial<Counts>): void {
  for (const metric of Object.keys(into) as Metric[]) into[metric] += more[metric] ?? 0;
}

export function toTotals(counts: Counts): UsageTotals {
  return {
    calls: counts.calls,
    inputTokens: counts.inputTokens,
    outputTokens: counts.outputTokens,
    cachedInputTokens: counts.cachedInputTokens,
    costUsd: counts.costUnits / UNITS_PER_USD,
  };
}

/** Rows from per-key counts, highest cost first, then by name. */
export function toRows(byKey: Map<string, Counts>): UsageRow[] {
  return [...byKey.entries()]
    .map(([key, counts]) => ({ key, ...toTotals(counts) }))
    .sort((a, b) => b.costUsd - a.costUsd || a.key.localeCompare(b.key));
}
