// Client functions for durable agents: start a run of an agent (a definition in the worker's agents
// folder by id, or a typed definition), and through its handle wait for the result, read its status
// and pending tool approvals, approve or reject a tool call, cancel it, and follow its progress.
import { randomBytes } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type WorkflowHandle,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import {
  AGENT_WORKFLOW,
  type AgentDefinition,
  type AgentOverrides,
  type AgentRunInput,
  type AgentRunResult,
  type AgentStatus,
  type PendingToolApproval,
  type ToolApprovalDecision,
  type ToolApprovalOutcome,
} from '../common/agents/types.js';
import { ConfigError, InvalidRequestError, rootFailure } from '../common/errors.js';
import {
  agentPendingApprovalsQuery,
  agentStatusQuery,
  approveToolUpdate,
} from '../workflows/agentMessages.js';
import { LlmCaller } from '../workflows/searchAttributes.js';
import { type AgentStreamEvent, followAgentRun } from './agentStream.js';
import { waitThroughBusyServer } from './busyServer.js';
import type { OrchestratorClient, RequestMemo, StreamOptions } from './client.js';

export interface StartAgentOptions {
  /** An agent in the worker's agents folder (agents/<id>.yaml)… */
  agentId?: string;
  /** …or the definition itself. */
  definition?: AgentDefinition;
  /** The task, given to the agent as the user message. */
  input: string;
  /** The workflow id (default `<agent id>-<8 hex>`); starting the same id again joins the existing run. */
  runId?: string;
  /** Who is asking: recorded on every step's request, and the only one the HTTP API shows the run to. */
  caller?: string;
  overrides?: AgentOverrides;
  /** Publish each step's text deltas (the progress events are always published). */
  stream?: boolean;
}

export interface AgentStreamOptions extends StreamOptions {
  /** Also follow each step's text deltas (default true; the run publishes them when started with `stream`). */
  deltas?: boolean;
}

export interface DecideOptions {
  reason?: string;
  /** Who decides. */
  by?: string;
}

/** Defines an agent in TypeScript with the editor's help; the worker checks it when the run starts. */
export function defineAgent(definition: AgentDefinition): AgentDefinition {
  return definition;
}

/** One agent run: its id is its workflow id, so a handle made later from the id works the same. */
export class AgentRun {
  constructor(
    private readonly client: OrchestratorClient,
    readonly runId: string,
  ) {}

  get workflow(): WorkflowHandle {
    return this.client.temporal.workflow.getHandle(this.runId);
  }

  /** Waits for the result; a failed run throws its typed failure (e.g. AgentToolFailedError). */
  async result(): Promise<AgentRunResult> {
    try {
      return (await waitThroughBusyServer(() => this.workflow.result())) as AgentRunResult;
    } catch (error) {
      if (error instanceof WorkflowFailedError) throw rootFailure(error) ?? error;
      throw error;
    }
  }

  /** Stage, step, pending approvals, usage and cost so far. */
  async status(): Promise<AgentStatus> {
    return this.workflow.query(agentStatusQuery);
  }

  async pendingApprovals(): Promise<PendingToolApproval[]> {
    return this.workflow.query(agentPendingApprovalsQuery);
  }

  /**
   * Approves (or, with `approve: false`, rejects) a waiting tool call. A call id that is unknown or
   * not waiting is refused with a typed failure saying why, and never reaches the run's history.
   */
  async decide(decision: ToolApprovalDecision): Promise<ToolApprovalOutcome> {
    try {
      return await this.workflow.executeUpdate(approveToolUpdate, { args: [decision] });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) throw rootFailure(error) ?? error;
      throw error;
    }
  }

  approve(callId: string, options: DecideOptions = {}): Promise<ToolApprovalOutcome> {
    return this.decide({ callId, approve: true, ...options });
  }

  reject(callId: string, options: DecideOptions = {}): Promise<ToolApprovalOutcome> {
    return this.decide({ callId, approve: false, ...options });
  }

  /** Requests cancellation: running tool calls and model calls are cancelled, no new step starts. */
  async cancel(): Promise<void> {
    await this.workflow.cancel();
  }

  /**
   * The run's progress events as they are published, then its result:
   * `for await (const event of run.stream()) …`. Needs the client's stream reader (REDIS_URL).
   */
  stream(options: AgentStreamOptions = {}): AsyncGenerator<AgentStreamEvent, void> {
    const reader = this.client.streams;
    if (!reader) {
      throw new ConfigError(
        'following an agent needs a stream reader: pass `streams` to OrchestratorClient, or set REDIS_URL before connect()',
      );
    }
    return followAgentRun({
      reader,
      runId: this.runId,
      result: this.result(),
      ...(options.afterId ? { afterId: options.afterId } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.deltas !== undefined ? { deltas: options.deltas } : {}),
    });
  }
}

export function agentRun(client: OrchestratorClient, runId: string): AgentRun {
  return new AgentRun(client, runId);
}

/** The run's workflow input from the caller's options; bad options fail here with InvalidRequestError. */
export function agentRunInput(options: StartAgentOptions): AgentRunInput {
  const agentId = options.agentId ?? options.definition?.id;
  if (!agentId || (options.agentId && options.definition)) {
    throw new InvalidRequestError('start an agent with either `agentId` or `definition`, not both');
  }
  if (typeof options.input !== 'string' || options.input.trim() === '') {
    throw new InvalidRequestError('an agent run needs an `input`: the task, as text');
  }
  const runId = options.runId ?? `${agentId}-${randomBytes(4).toString('hex')}`;
  if (runId.includes('/') || runId.trim() === '') {
    throw new InvalidRequestError(
      `agent run id "${runId}" may not be empty or contain "/": its steps are <id>/step-<n>`,
    );
  }
  return {
    input: options.input,
    runId,
    ...(options.agentId ? { agentId: options.agentId } : {}),
    ...(options.definition ? { definition: options.definition } : {}),
    ...(options.caller ? { caller: options.caller } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.stream ? { stream: true } : {}),
  };
}

/** Starts the run, or joins the existing one when its run id was started before. */
export async function startAgent(client: OrchestratorClient, options: StartAgentOptions): Promise<AgentRun> {
  const input = agentRunInput(options);
  try {
    await client.temporal.workflow.start(AGENT_WORKFLOW, {
      workflowId: input.runId,
      taskQueue: client.taskQueue,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      ...(input.caller
        ? {
            memo: { caller: input.caller } satisfies RequestMemo,
            typedSearchAttributes: [{ key: LlmCaller, value: input.caller }],
          }
        : {}),
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  return agentRun(client, input.runId);
}

/** Starts the run (or joins it) and waits for its result. */
export async function runAgent(
  client: OrchestratorClient,
  options: StartAgentOptions,
): Promise<AgentRunResult> {
  return (await startAgent(client, options)).result();
}
