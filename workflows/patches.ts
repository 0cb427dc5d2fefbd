// Every patch id in the workflow code (docs/determinism.md says what each changed). A new run records
// a marker and a TemporalChangeVersion search attribute for each one it meets: two history events and
// one visibility write per id, so changes shipped together share one id.

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
