// Adding up token usage, the same way wherever calls are summed: tries of one model, models of one
// request, turns of one conversation. Pure, so workflows can use it.
import type { TokenUsage } from './request.js';

export const ZERO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const cached = (a.cachedInputTokens ?? 0) + (b.cachedInputTokens ?? 0);
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    ...(cached ? { cachedInputTokens: cached } : {}),
  };
}
