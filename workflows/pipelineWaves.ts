// Orders a forEach step's items by the dependency edges a model returned: topological waves, where
// every item runs after all the items it depends on, and the items of one wave may run in parallel.
// Models get names wrong, so an edge naming no item is reported (and ignored unless told otherwise);
// a name shared by several items applies to each of them. Pure.
import type { JsonValue } from '../common/request.js';

export interface EdgeFields {
  /** The item that must finish first. */
  from: string;
  /** The item that waits for it. */
  to: string;
}

export type WavesResult =
  | { ok: true; waves: number[][]; warnings: string[] }
  | { ok: false; reason: 'cycle' | 'unknown'; message: string; warnings: string[] };

export function dependencyWaves(
  keys: readonly (JsonValue | undefined)[],
  edges: JsonValue | undefined,
  fields: EdgeFields,
  unknown: 'ignore' | 'fail' = 'ignore',
): WavesResult {
  const warnings: string[] = [];
  const byKey = new Map<string, number[]>();
  keys.forEach((key, index) => {
    if (typeof key === 'string') byKey.set(key, [...(byKey.get(key) ?? []), index]);
  });
  const label = (index: number): string =>
    typeof keys[index] === 'string' ? `"${keys[index]}"` : `#${index}`;

  const after = keys.map(() => new Set<number>()); // after[i]: items i waits for
  const list = edges === undefined || edges === null ? [] : edges;
  if (!Array.isArray(list)) {
    warnings.push('the dependency list is not an array; items run without ordering');
  } else {
    for (const [n, edge] of list.entries()) {
      if (edge === null || typeof edge !== 'object' || Array.isArray(edge)) {
        warnings.push(`dependency #${n} is not an object; ignored`);
        continue;
      }
      const from = edge[fields.from];
      const to = edge[fields.to];
      const befores = typeof from === 'string' ? byKey.get(from) : undefined;
      const waiters = typeof to === 'string' ? byKey.get(to) : undefined;
      if (!befores || !waiters) {
        const names = [
          !befores ? JSON.stringify(from ?? null) : undefined,
          !waiters ? JSON.stringify(to ?? null) : undefined,
        ];
        const message = `dependency #${n} (${JSON.stringify(from ?? null)} before ${JSON.stringify(to ?? null)}) names no item: ${names.filter(Boolean).join(' and ')}`;
        if (unknown === 'fail') return { ok: false, reason: 'unknown', message, warnings };
        warnings.push(`${message}; ignored`);
        continue;
      }
      for (const waiter of waiters) for (const before of befores) after[waiter]?.add(before);
    }
  }

  const waves: number[][] = [];
  const placed = new Set<number>();
  while (placed.size < keys.length) {
    const wave = keys
      .map((_, i) => i)
      .filter((i) => !placed.has(i) && [...(after[i] ?? [])].every((b) => placed.has(b)));
    if (wave.length === 0) {
      const cycle = findCycle(after, placed);
      return {
        ok: false,
        reason: 'cycle',
        message: `the items' dependencies form a cycle: ${cycle.map(label).join(' waits for ')}`,
        warnings,
      };
    }
    for (const i of wave) placed.add(i);
    waves.push(wave);
  }
  return { ok: true, waves, warnings };
}

/** A cycle among the items not yet placed, as a list of indices that starts and ends the same. */
function findCycle(after: Set<number>[], placed: Set<number>): number[] {
  const start = after.findIndex((_, i) => !placed.has(i));
  const trail: number[] = [];
  let current = start;
  // Every unplaced item waits for at least one unplaced item, so walking those edges must repeat.
  while (!trail.includes(current)) {
    trail.push(current);
    current = [...(after[current] ?? [])].find((b) => !placed.has(b)) ?? current;
  }
  return [...trail.slice(trail.indexOf(current)), current];
}
