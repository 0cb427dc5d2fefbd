// How each pruning strategy ranks context items. Scores only order items; packing them into the
// budget is pruning.ts's job.
import { InvalidRequestError } from '../../common/errors.js';
import type { ContextItem } from '../../common/request.js';

export type PruningStrategy = 'relevance' | 'recency' | 'hybrid';

export const PRUNING_STRATEGIES: readonly PruningStrategy[] = ['relevance', 'recency', 'hybrid'];

export interface PruningWeights {
  relevance: number;
  recency: number;
}

/** The seed's hybrid weights: relevance matters most, recency breaks near-ties. */
export const DEFAULT_HYBRID_WEIGHTS: Readonly<PruningWeights> = { relevance: 0.7, recency: 0.3 };

/** Normalisation floor, as in the seed: items less than a second apart are not told apart by age. */
const MIN_TIME_RANGE_MS = 1000;

export function resolveWeights(weights: Partial<PruningWeights> | undefined): PruningWeights {
  const resolved = { ...DEFAULT_HYBRID_WEIGHTS, ...weights };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new InvalidRequestError(`Pruning weight "${name}" must be a finite number >= 0, got ${value}`);
    }
  }
  if (resolved.relevance === 0 && resolved.recency === 0) {
    throw new InvalidRequestError('Pruning weights cannot both be 0: nothing would rank the context items');
  }
  return resolved;
}

/** Milliseconds since the epoch; unparseable timestamps are NaN and rank as the oldest items. */
function timesOf(items: readonly ContextItem[]): number[] {
  return items.map((item) => Date.parse(item.timestamp));
}

/**
 * recency = 1 - (newest - t) / max(1 s, newest - oldest): 1 for the newest item, 0 for the oldest
 * (the seed's normalisation, so hybrid weights mean what they meant there). An item without a
 * readable timestamp scores 0: an ordering hint should not fail a request.
 */
export function recencyScores(items: readonly ContextItem[]): number[] {
  const times = timesOf(items);
  let newest = Number.NEGATIVE_INFINITY;
  let oldest = Number.POSITIVE_INFINITY;
  for (const time of times) {
    if (Number.isNaN(time)) continue;
    if (time > newest) newest = time;
    if (time < oldest) oldest = time;
  }
  const range = Math.max(MIN_TIME_RANGE_MS, newest - oldest);
  return times.map((time) => (Number.isNaN(time) ? 0 : 1 - (newest - time) / range));
}

function relevanceOf(item: ContextItem): number {
  return Number.isFinite(item.relevanceScore) ? item.relevanceScore : 0;
}

/** One score per item (same order), higher is kept first. */
export function scoreItems(
  items: readonly ContextItem[],
  strategy: PruningStrategy,
  weights: PruningWeights = DEFAULT_HYBRID_WEIGHTS,
): number[] {
  switch (strategy) {
    case 'relevance':
      return items.map(relevanceOf);
    case 'recency':
      return recencyScores(items);
    case 'hybrid': {
      const recency = recencyScores(items);
      return items.map(
        (item, i) => weights.relevance * relevanceOf(item) + weights.recency * (recency[i] ?? 0),
      );
    }
    default:
      throw new InvalidRequestError(
        `Unknown pruning strategy "${String(strategy)}"; expected one of ${PRUNING_STRATEGIES.join(', ')}`,
      );
  }
}
