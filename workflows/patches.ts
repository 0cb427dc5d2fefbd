// Every patch id in the workflow code (docs/determinism.md says what each changed). A new run records
// a marker and a TemporalChangeVersion search attribute for each id it meets: two history events and
// one visibility write per id. So new runs meet one id, CURRENT_SHAPE, which stands for every change
// below; only runs recorded before it consult the ids one by one.
import { patched } from '@temporalio/workflow';

/** Search attributes come from the start options and are written once at the end (were at each step). */
export const BATCHED_SEARCH_ATTRIBUTES = 'batched-search-attributes';

/** Our rate limit's waits are durable timers in the workflow (were the provider call's retries). */
export const RATE_LIMIT_WAITS = 'rate-limit-waits-in-workflow';

/** The first model runs in the request's own history (runs recorded before it: a child). */
export const FIRST_MODEL_INLINE = 'first-model-inline';

/**
 * The steps before and after the model calls are one local activity each (were six), and a provider
 * call checks its own answer (was a validateResponse step after it).
 */
export const FOLDED_REQUEST_STEPS = 'folded-request-steps';

/** Every change above at once, under one marker: what a run started by this code records. */
export const CURRENT_SHAPE = 'request-shape-2026-12';

type Change =
  | typeof BATCHED_SEARCH_ATTRIBUTES
  | typeof RATE_LIMIT_WAITS
  | typeof FIRST_MODEL_INLINE
  | typeof FOLDED_REQUEST_STEPS;

// Module state is per workflow run (the SDK evaluates workflow modules afresh for each).
let currentShape: boolean | undefined;

/**
 * Whether this run has `change`. Decided once per run, at its first question: replaying a run that
 * recorded CURRENT_SHAPE, or running a new one, it has every change and records no other marker;
 * replaying an older run, patched(change) answers from its history as before.
 */
export function hasChange(change: Change): boolean {
  // Asked again later, patched() would say true once the run is live: the first answer must stand.
  currentShape ??= patched(CURRENT_SHAPE);
  return currentShape || patched(change);
}
