import { createHash } from 'node:crypto';

/** Hex SHA-256 of a string; the root of every deterministic choice the emulator makes. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Stable JSON (sorted keys) so that key order in a request does not change its hash. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Seeded random numbers: each draw hashes the seed with a counter, so a given seed always yields
 * the same sequence without any global state.
 */
export class SeededRandom {
  private counter = 0;

  constructor(private readonly seed: string) {}

  /** A float in [0, 1). */
  next(): number {
    const hex = sha256Hex(`${this.seed}:${this.counter++}`).slice(0, 13);
    return Number.parseInt(hex, 16) / 2 ** 52;
  }

  /** An integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new Error('SeededRandom.pick on an empty list');
    return item;
  }
}
