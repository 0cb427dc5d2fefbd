// Every workflow the worker registers. Deterministic code only: see DESIGN.md's rules.
export { llmRequest } from './llmRequest.js';
export { modelCall } from './modelCall.js';
