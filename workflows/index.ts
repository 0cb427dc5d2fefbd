// Every workflow the worker registers. Deterministic code only: what breaks replay is in
// docs/determinism.md; what workflow code may import is in README's Layout.

export { agent } from './agent.js';
export { llmBatch } from './batch.js';
export { batchCollector } from './batchCollector.js';
export { conversation } from './conversation.js';
export { llmRequest } from './llmRequest.js';
export { modelCall } from './modelCall.js';
export { pipeline, pipelineStep } from './pipeline.js';
export { providerBatch } from './providerBatch.js';
export { summarizeContext } from './summarizeContext.js';
