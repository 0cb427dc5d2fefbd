// Durable agents as typed values: the definition (what agents/<id>.yaml holds once validated), the
// `agent` workflow's input, result and status. Pure types, shared by the workflow, the activities,
// the client and the doors.
//
// Conventions (part of the contract):
// - The workflow's registered name is `agent` (AGENT_WORKFLOW).
// - Its workflow id is the run id: `<agent id>-<8 hex>` unless the caller picks one; it may not
//   contain `/`. Continue-as-new keeps the id, so a run is found by it for its whole life.
// - Each model call is a child `llmRequest` with workflow id `<run id>/step-<n>` (n counts from 1
//   across continue-as-new); a sub-agent tool is a child `agent` with id `<run id>/agent-<n>-<k>`
//   (step n, k-th call of that step).
// - Progress events (common/agents/events.ts) go to the request stream whose id is the run id; the
//   text deltas of step n are also on the stream `<run id>/step-<n>` (the step's own request stream).
import type { GenerationParams, JsonValue, TokenUsage } from '../request.js';

export const AGENT_WORKFLOW = 'agent';

/** The stream id an agent run's events are published to: the run id itself. */
export function agentStreamId(runId: string): string {
  return runId;
}

/** The child `llmRequest` workflow id (and request id) of step n. */
export function agentStepId(runId: string, step: number): string {
  return `${runId}/step-${step}`;
}

/** The child `agent` workflow id of a sub-agent called at step n as that step's k-th call. */
export function subAgentId(runId: string, step: number, index: number): string {
  return `${runId}/agent-${step}-${index}`;
}

/**
 * A tool reference in a definition's `tools`:
 * - `calculator` — a TypeScript tool registered with the worker (core/tools/);
 * - `mcp:<server>` — every tool of an MCP server listed in config/mcp.yaml;
 * - `mcp:<server>/<tool>` — one tool of that server;
 * - `agent:<id>` — another agent, called as a child `agent` workflow.
 * The model sees MCP tools as `<server>__<tool>` and agents as `agent__<id>`.
 */
export type ToolRef = string;

export interface AgentLimits {
  /** Model calls at most (default 20); reaching it stops the run with stopReason `max_steps`. */
  maxSteps?: number;
  /** Total tokens (input + output, all steps) at most; stopReason `budget`. */
  maxTokens?: number;
  /** Total cost in USD at most; stopReason `budget`. Also caps each step's request. */
  maxCostUsd?: number;
  /** The whole run's deadline, in seconds (default 600); stopReason `deadline`. */
  deadlineSeconds?: number;
  /** Each tool call's start-to-close timeout, in seconds (default 60). */
  toolTimeoutSeconds?: number;
  /** Attempts per tool call when it fails with a retryable error (default 3). */
  toolAttempts?: number;
}

export interface ToolApproval {
  /** Shown to the approver. */
  message?: string;
  /** How long to wait for a decision before `default` applies. */
  timeoutSeconds: number;
  default: 'approve' | 'reject';
}

/** A tool call that fails (unknown tool, bad input, server down, tool threw): tell the model, or fail the run. */
export type ToolErrorPolicy = 'return' | 'fail';

export interface AgentDefinition {
  /** The file name in agents/ (`<id>.yaml`). */
  id: string;
  description?: string;
  /** The system prompt. Give this or `templateId` (rendered with `{ input }` plus `variables`). */
  instructions?: string;
  templateId?: string;
  templateVersion?: string;
  variables?: Record<string, JsonValue>;
  /** The model route: a catalog model (with fallbacks), or a task type the routing table routes. */
  model?: string;
  fallbackModels?: string[];
  /** Task type of every step's request (default `agent`); routes the model when `model` is absent. */
  taskType?: string;
  params?: GenerationParams;
  tools: ToolRef[];
  limits?: AgentLimits;
  /** Tool name as the model sees it (or a ToolRef) -> its approval. */
  approvals?: Record<string, ToolApproval>;
  /** Default `return`. */
  onToolError?: ToolErrorPolicy;
  /** The steps' response cache (default `off`). */
  cache?: 'read-write' | 'read-only' | 'off';
}

/** What a caller may change for one run. */
export interface AgentOverrides {
  model?: string;
  maxSteps?: number;
  maxTokens?: number;
  maxCostUsd?: number;
  deadlineSeconds?: number;
}

/** The `agent` workflow's argument. Give `agentId` (a file the worker loads) or `definition`. */
export interface AgentRunInput {
  agentId?: string;
  definition?: AgentDefinition;
  /** The task, as the user message. */
  input: string;
  /** The workflow id; see the conventions above. */
  runId: string;
  /** Who started it; passed on to every step's request (ledger, search attributes). */
  caller?: string;
  overrides?: AgentOverrides;
  /** Stream each step's text deltas (the progress events are always published). */
  stream?: boolean;
  /** Set by the workflow itself when it continues as new; callers leave it out. */
  carried?: AgentCarry;
}

/** What a run hands to its continuation: the conversation by reference and the totals so far. */
export interface AgentCarry {
  /** `blob:<sha256>` of the conversation's messages. */
  conversationRef: string;
  messageCount: number;
  /** Steps done so far (the next is stepsDone + 1). */
  stepsDone: number;
  /** The earlier runs' steps, by reference (`blob:<sha256>` of AgentStep[]). */
  stepsRef?: string;
  usage: TokenUsage;
  costUsd: number;
  /** Epoch ms of the first run's start and of the deadline. */
  startedAt: number;
  deadlineAt: number;
  /** The loaded definition, so a continuation does not reload a changed file. */
  definition: AgentDefinition;
  continuedRuns: number;
}

export type AgentStopReason = 'final' | 'max_steps' | 'budget' | 'deadline';

export interface ToolCallRecord {
  /** The model's id for the call. */
  callId: string;
  /** The tool's name as the model called it. */
  name: string;
  arguments: JsonValue;
  /** The result as the model got it, cut to a short summary. */
  summary: string;
  /** The whole result, when it was too large to keep inline: `blob:<sha256>`. */
  resultRef?: string;
  /** The tool failed (or was rejected); the model was told so. */
  isError: boolean;
  errorType?: string;
  error?: string;
  durationMs: number;
  /** Present when the tool needs approval. */
  approval?: { approved: boolean; timedOut: boolean; reason: string | null; by: string | null };
}

export interface AgentStep {
  step: number;
  /** The step's llmRequest workflow id. */
  requestId: string;
  model: string;
  provider: string;
  finishReason?: string;
  /** The model's text (possibly empty when it only called tools). */
  text: string;
  usage: TokenUsage;
  costUsd: number;
  toolCalls: ToolCallRecord[];
}

export interface AgentRunResult {
  runId: string;
  agentId: string;
  /** The final answer (or the last text when a limit stopped the run). */
  output: string;
  stopReason: AgentStopReason;
  steps: AgentStep[];
  /** Every step's requests (the ledger's entries for them) and every sub-agent's. */
  usage: TokenUsage;
  costUsd: number;
  /** `blob:<sha256>` of the whole conversation. */
  conversationRef: string;
  durationMs: number;
  /** Times the run continued as new to keep its history small. */
  continuedRuns: number;
}

export type AgentStage =
  | 'loading'
  | 'calling_model'
  | 'running_tools'
  | 'awaiting_approval'
  | 'completed'
  | 'failed'
  | 'cancelled';

export interface PendingToolApproval {
  callId: string;
  /** The tool's name as the model called it. */
  tool: string;
  arguments: JsonValue;
  step: number;
  message?: string;
  requestedAt: string;
  timeoutAt: string;
  default: 'approve' | 'reject';
}

export interface ToolApprovalDecision {
  callId: string;
  approve: boolean;
  reason?: string;
  /** Who decided. */
  by?: string;
}

export type ToolApprovalOutcome = {
  approved: boolean;
  timedOut: boolean;
  reason: string | null;
  by: string | null;
};

export interface AgentStatus {
  runId: string;
  agentId?: string;
  stage: AgentStage;
  /** The step running now (or the last one). */
  step: number;
  maxSteps?: number;
  pendingApprovals: PendingToolApproval[];
  usage: TokenUsage;
  costUsd: number;
  continuedRuns: number;
  stopReason?: AgentStopReason;
  errorType?: string;
  error?: string;
}
