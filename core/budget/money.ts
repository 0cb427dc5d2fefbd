// Money as integers: 1 unit = 1e-8 US dollars, the precision `costUsd` rounds to, so sums of many
// small costs are exact (floating-point sums drift).

export const UNITS_PER_USD = 100_000_000;

export function usdToUnits(usd: number): number {
  return Math.round(usd * UNITS_PER_USD);
}

export function unitsToUsd(units: number): number {
  return units / UNITS_PER_USD;
}

/** `$1.2345` with at least two and at most six decimals, for messages. */
export function formatUsd(usd: number): string {
  const text = usd.toFixed(6).replace(/0{1,4}$/, '');
  return `$${text}`;
}
