// A/B variants are assigned from the request id alone, so a retried or replayed request always gets
// the variant it got the first time, and no randomness has to be recorded.
import { createHash } from 'node:crypto';

export interface WeightedVariant {
  name: string;
  weight: number;
}

/** Maps a string to a number in [0, 1), uniformly: the first 48 bits of its sha256. */
export function hashToUnit(text: string): number {
  const digest = createHash('sha256').update(text, 'utf8').digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * The variant a request falls into: hash the request id into [0, 1) and walk the cumulative
 * weights. Undefined when there are no variants or no weight at all.
 */
export function chooseVariant<V extends WeightedVariant>(
  requestId: string,
  variants: readonly V[],
): V | undefined {
  const total = variants.reduce((sum, v) => sum + Math.max(0, v.weight), 0);
  if (!(total > 0)) return undefined;
  const point = hashToUnit(requestId) * total;
  let cumulative = 0;
  let last: V | undefined;
  for (const variant of variants) {
    if (variant.weight <= 0) continue;
    cumulative += variant.weight;
    last = variant;
    if (point < cumulative) return variant;
  }
  // Floating-point sums can leave the point a hair above the last boundary.
  return last;
}
