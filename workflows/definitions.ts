// Queries and the child workflow's contract, defined once for the workflows and the client.
import { defineQuery } from '@temporalio/workflow';
import type { Cooldown, PlannedModel, ProviderRetry } from '../common/plan.js';
import type {
  Attempt,
  ChatMessage,
  FinishReason,
  JsonSchema,
  JsonValue,
  LlmRequest,
  OutputFormat,
  TokenUsage,
  ToolCall,
} from '../common/request.js';

export type RequestStage =
  | 'deferred'
  | 'rendering'
  | 'planning'
  | 'waiting_for_cooldown'
  | 'waiting_for_batch'
  | 'calling'
  | 'completed'
  | 'failed';

export interface RequestStatus {
  stage: RequestStage;
  currentModel?: string;
  templateVersion?: string;
  modelsPlanned: string[];
  /** Models planning skipped because their circuit was open, and when they reopen. */
  cooldowns: Cooldown[];
  attempts: Attempt[];
}

/** `status`: what the request is doing now, for operators and the CLI. */
export const statusQuery = defineQuery<RequestStatus>('status');

/** The request's own fields a model call carries, under the request's names. */
export const MODEL_CALL_REQUEST_FIELDS = [
  'requestId',
  'taskType',
  'caller',
  'context',
  'pruning',
  'params',
  'stream',
  'tools',
  'toolChoice',
  'parallelToolCalls',
] as const satisfies readonly (keyof LlmRequest)[];

export interface ModelCallInput extends Pick<LlmRequest, (typeof MODEL_CALL_REQUEST_FIELDS)[number]> {
  planned: PlannedModel;
  messages: ChatMessage[];
  outputFormat: OutputFormat;
  schema?: JsonSchema;
  allowRegexFallback: boolean;
  maxOutputTokens: number;
  tokenBudget: number;
  retry: ProviderRetry;
  maxRepairs: number;
  /** Epoch ms by which the whole request must be done; every retry respects it. */
  deadlineAt: number;
  /** `<request>/<n>-<model>`: the child's workflow id, or the same name for a call run inline. */
  callId?: string;
}

export interface ModelCallResult {
  model: string;
  provider: string;
  text: string;
  output: JsonValue;
  /** The validated tool calls, when the model called tools. */
  toolCalls?: ToolCall[];
  finishReason?: FinishReason;
  regexFallback: boolean;
  usage: TokenUsage;
  costUsd: number;
  attempts: Attempt[];
}

/** Details a failed modelCall carries, so the request can list every try of every model. */
export interface ModelCallFailureDetails {
  model: string;
  attempts: Attempt[];
}
