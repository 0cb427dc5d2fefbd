// Money as integers: 1 unit = 1e-8 US dollars, the precision `costUsd` rounds to, so sums of many
// small costs are exact (floating-point sums drift). The unit itself is common/usage.ts's, shared
// with the workflows that add up a request's cost.
import { UNITS_PER_USD } from '../../common/usage.js';

export { UNITS_PER_USD, usdToUnits } from '../../common/usage.js';

export function unitsToUsd(units: number): number {
  return units / UNITS_PER_USD;
}

/** `$1.2345` with at least two and at most six decimals, for messages. */
export function formatUsd(usd: number): string {
  const text = usd.toFixed(6).replace(/0{1,4}$/, '');
  return `$${text}`;
}
