// Agent pipelines as typed values: the definition (what a YAML file in pipelines/ holds, or what a
// service writes in TypeScript), the workflow's input, status and result. Pure types, shared by the
// workflows, the activities that load definitions and the client.
import type {
  Attempt,
  GenerationParams,
  JsonSchema,
  JsonValue,
  LlmRequest,
  OutputFormat,
  RoutingCriteria,
  TokenUsage,
} from '../request.js';

/**
 * What happens when a step fails for good (all its models failed, a reference found nothing, its
 * items have a dependency cycle): fail the pipeline, skip the step (its output is null), or use a
 * fallback value as its output. In a forEach step the policy applies to each item.
 */
export type FailurePolicy = 'fail' | 'skip' | { fallback: JsonValue };

/**
 * Runs a forEach step's items in dependency order: item B waits for item A when an edge says
 * `{ [from]: <A's key>, [to]: <B's key> }` ("from must be finished before to can start", as the
 * requirement_breakdown template asks the model). Items run in topological waves, in parallel within
 * a wave; a cycle fails the step with DependencyCycleError.
 */
export interface ItemOrderDefinition {
  /** Reference to the list of edges, e.g. `${steps.analyse.output.dependencies}`; missing = none. */
  dependencies: string;
  /** Field of an item that names it (default `title`). */
  key?: string;
  /** Field of an edge naming the item that must finish first (default `from_task`). */
  from?: string;
  /** Field of an edge naming the item that waits (default `to_task`). */
  to?: string;
  /** An edge naming no item: `ignore` it (default; listed in the step's warnings) or `fail` the step. */
  unknown?: 'ignore' | 'fail';
}

export interface ForEachDefinition {
  /** Reference to an array, e.g. `${steps.analyse.output.tasks}`; each element runs one child. */
  items: string;
  /** Children running at once (default 4). */
  concurrency?: number;
  order?: ItemOrderDefinition;
}

interface StepBase {
  /** Unique within the pipeline; the child's workflow id is `<pipeline id>/<name>[/<index>]`. */
  name: string;
  description?: string;
  /** Steps that must finish first, besides those this step refers to (which are inferred). */
  needs?: string[];
}

/** One LLM request (or one per item with `forEach`), run as a child workflow. */
export interface RequestStepDefinition extends StepBase {
  taskType: string;
  /** Template id, optionally pinned: `code_generation` or `code_generation@1.0`. */
  template: string;
  /**
   * Template variables. Strings may hold references: `${input.requirement}`,
   * `${steps.analyse.output.tasks[0].title}`, `${item.title}`, `${index}`, and
   * `${steps.implement.output | join}` (an array's elements as text, separated by a blank line, or by
   * `| join: ", "`). A string that is exactly one reference keeps the value's JSON type; inside a
   * longer string a value is inserted as text (objects and arrays as JSON). `$${` is a literal `${`.
   */
  variables?: Record<string, JsonValue>;
  outputFormat?: OutputFormat;
  schema?: JsonSchema;
  model?: string;
  fallbackModels?: string[];
  params?: GenerationParams;
  criteria?: RoutingCriteria;
  maxRepairs?: number;
  /** This step's own deadline; the pipeline's remaining time caps it. */
  deadlineSeconds?: number;
  forEach?: ForEachDefinition;
  /** Default `fail`. */
  onFailure?: FailurePolicy;
}

export interface ApprovalDefinition {
  /** Shown to the approver (`pipeline status`, the pendingApprovals query); may hold references. */
  message?: string;
  /** How long to wait for a decision before `default` applies. */
  timeoutSeconds: number;
  default: 'approve' | 'reject';
}

/** Waits for a person: `llm-orchestrator approve <pipeline id> <step> [--reject --reason ...]`. */
export interface ApprovalStepDefinition extends StepBase {
  approval: ApprovalDefinition;
}

/**
 * Runs an agent (agents/<id>.yaml) as the step's child `agent` workflow, with `input` (which may hold
 * references, as request variables do) as its task; the step's output is the agent's final answer.
 */
export interface AgentStepDefinition extends StepBase {
  /** The agent's id. */
  agent: string;
  /** The task, e.g. `Review this code: ${steps.implement.output}`; objects and arrays are inserted as JSON. */
  input: string;
  /** Override the agent's model or limits for this step (the pipeline's budget and deadline still cap it). */
  model?: string;
  maxSteps?: number;
  maxCostUsd?: number;
  /** This step's own deadline; the pipeline's remaining time caps it. */
  deadlineSeconds?: number;
  /** Default `fail`. */
  onFailure?: FailurePolicy;
}

export type StepDefinition = RequestStepDefinition | ApprovalStepDefinition | AgentStepDefinition;

export interface PipelineDefinition {
  /** The file name in pipelines/ (`<name>.yaml`). */
  name: string;
  description?: string;
  /** Inputs a run must pass (`--var name=value`). */
  requiredInputs?: string[];
  /** Inputs with their defaults. */
  optionalInputs?: Record<string, JsonValue>;
  /** Default cost cap in US dollars for a run (the run's own cap wins). */
  budgetUsd?: number;
  /** Default deadline for a run, in seconds (the run's own deadline wins). */
  deadlineSeconds?: number;
  steps: StepDefinition[];
}

export const isApprovalStep = (step: StepDefinition): step is ApprovalStepDefinition => 'approval' in step;
export const isAgentStep = (step: StepDefinition): step is AgentStepDefinition => 'agent' in step;

/** The pipeline workflow's argument. Give `pipeline` (a file the worker loads) or `definition`. */
export interface PipelineInput {
  pipeline?: string;
  definition?: PipelineDefinition;
  input: Record<string, JsonValue>;
  /** Stop starting children once their summed cost reaches this, and fail with BudgetExceededError. */
  budgetUsd?: number;
  /** The whole pipeline's deadline; each child gets what remains of it. */
  deadlineSeconds?: number;
  /** Step outputs whose JSON is larger than this are kept in the blob store (default 32 KiB). */
  blobThresholdBytes?: number;
  /** Who started it; passed on to every child request. */
  caller?: string;
}

export const DEFAULT_BLOB_THRESHOLD_BYTES = 32 * 1024;
export const DEFAULT_FOR_EACH_CONCURRENCY = 4;

/** A large value kept out of workflow histories: `blob:<sha256 of its JSON>`. */
export type BlobRef = { $ref: string };

export type StepStatus =
  | 'pending'
  | 'running'
  | 'awaiting_approval'
  | 'completed'
  | 'skipped'
  | 'fallback'
  | 'failed'
  | 'cancelled'
  | 'not_started';

export interface StepState {
  name: string;
  kind: 'request' | 'approval' | 'agent';
  status: StepStatus;
  /** Child workflow ids, in start order. */
  children: string[];
  /** forEach progress and the waves the items ran in (indices). */
  items?: { total: number; finished: number; waves: number[][] };
  /** Models that answered (one per child). */
  models: string[];
  usage: TokenUsage;
  costUsd: number;
  startedAt?: string;
  finishedAt?: string;
  errorType?: string;
  error?: string;
  /** Things that did not stop the step, e.g. dependency edges naming unknown items. */
  warnings: string[];
}

export interface PendingApproval {
  step: string;
  message?: string;
  requestedAt: string;
  timeoutAt: string;
  default: 'approve' | 'reject';
}

export interface ApprovalDecision {
  step: string;
  approve: boolean;
  reason?: string;
  /** Who decided. */
  by?: string;
}

/** An approval step's output; `reason` and `by` are null when not given (or after a timeout). */
export type ApprovalOutcome = {
  approved: boolean;
  timedOut: boolean;
  reason: string | null;
  by: string | null;
};

export type PipelineStage = 'loading' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface PipelineStatus {
  pipelineId: string;
  name?: string;
  stage: PipelineStage;
  steps: StepState[];
  pendingApprovals: PendingApproval[];
  costUsd: number;
  budgetUsd?: number;
  deadlineAt?: string;
}

export interface PipelineResult {
  pipelineId: string;
  name: string;
  /** Step name -> output (null for a skipped step; a BlobRef for a large one). */
  outputs: Record<string, JsonValue>;
  steps: StepState[];
  usage: TokenUsage;
  costUsd: number;
  durationMs: number;
}

/** The step child's argument: an LlmRequest whose variables may hold blob references. */
export interface PipelineStepInput {
  request: LlmRequest;
  blobThresholdBytes: number;
}

export interface PipelineStepResult {
  workflowId: string;
  model: string;
  provider: string;
  /** The request's output, or a BlobRef when its JSON is over the threshold. */
  output: JsonValue;
  outputBytes: number;
  usage: TokenUsage;
  costUsd: number;
  attempts: Attempt[];
}
