// Every workflow the worker registers. Deterministic code only: see DESIGN.md's rules.

export { llmBatch } from './batch.js';
export { conversation } from './conversation.js';
export { llmRequest } from './llmRequest.js';
export { modelCall } from './modelCall.js';
export { pipeline, pipelineStep } from './pipeline.js';
export { summarizeContext } from './summarizeContext.js';
