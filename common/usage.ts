// Adding up token usage and money, the same way wherever calls are summed: tries of one model, models
// of one request, turns of one conversation. Pure, so workflows can use it.
import type { TokenUsage } from './request.js';

export const ZERO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

/** The optional counts of a TokenUsage, each a part of inputTokens or outputTokens. */
export const USAGE_PARTS = [
  'cachedInputTokens',
  'cacheWriteTokens',
  'cacheWrite1hTokens',
  'reasoningTokens',
  'imageInputTokens',
] as const;
export type UsagePart = (typeof USAGE_PARTS)[number];

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const sum: TokenUsage = {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
  // Parts that are zero stay absent, so payloads without cache or reasoning tokens keep their shape.
  for (const part of USAGE_PARTS) {
    const value = (a[part] ?? 0) + (b[part] ?? 0);
    if (value) sum[part] = value;
  }
  return sum;
}

/** Money as integers: 1 unit = 1e-8 US dollars (a millionth of a cent), what costUsd rounds to. */
export const UNITS_PER_USD = 100_000_000;

export const usdToUnits = (usd: number): number => Math.round(usd * UNITS_PER_USD);

/** Adds dollar amounts through integer units, so the sum of many calls is exact (floats drift). */
export function sumUsd(amounts: readonly number[]): number {
  return amounts.reduce((units, usd) => units + usdToUnits(usd), 0) / UNITS_PER_USD;
}
