// The client package's entry (packages/client, `@llm-orchestrator/client`): everything a service needs
// to send requests, batches, conversations, pipelines and agents to the orchestrator and read their typed
// results and failures. Nothing here loads the worker, the HTTP API or Redis.

export * from '../common/agents/errors.js';
export type * from '../common/agents/events.js';
export * from '../common/agents/types.js';
export * from '../common/errors.js';
export type {
  Attempt,
  AttemptOutcome,
  ChatMessage,
  ContextItem,
  GenerationParams,
  JsonSchema,
  JsonValue,
  LlmRequest,
  LlmResult,
  MessageRole,
  OutputFormat,
  RoutingCriteria,
  TokenUsage,
} from '../common/request.js';
export { llmRequestSchema } from '../common/requestSchema.js';
export type { BatchItem, BatchResult } from '../workflows/batch.js';
export type { RequestStatus } from '../workflows/definitions.js';
export type { AgentStreamEvent } from './agentStream.js';
export * from './agents.js';
export { processBatch } from './batch.js';
export {
  type ConnectOptions,
  OrchestratorClient,
  type OrchestratorClientOptions,
  type RequestHandle,
  type RequestMemo,
  type StreamOptions,
} from './client.js';
export * from './conversation.js';
export * from './pipelines.js';
export type { RequestStreamEvent } from './stream.js';
export { MAX_JSON_DEPTH, MAX_REQUEST_BYTES, validateRequest } from './validateRequest.js';
