// One step's tool calls, run in parallel: each an activity with the agent's timeout and retry policy
// and a summary naming the tool (a sub-agent: a child `agent` workflow). Calls needing approval wait
// for the approveTool update, or for their timeout's default. A failed call is either told to the
// model as an error result or fails the run, as the agent's `onToolError` says.
import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  condition,
  executeChild,
  isCancellation,
  proxyActivities,
} from '@temporalio/workflow';
import type { AgentActivities } from '../activities/agents.js';
import type { AgentEvent } from '../common/agents/events.js';
import type { ResolvedTool } from '../common/agents/tools.js';
import type {
  AgentDefinition,
  AgentRunInput,
  AgentRunResult,
  PendingToolApproval,
  ToolApprovalOutcome,
  ToolCallRecord,
} from '../common/agents/types.js';
import { subAgentId } from '../common/agents/types.js';
import type { TokenUsage, ToolCall } from '../common/request.js';

export interface ToolRunContext {
  runId: string;
  step: number;
  definition: AgentDefinition;
  tools: ResolvedTool[];
  caller?: string;
  approvals: ApprovalBook;
  publish: (events: AgentEvent[]) => Promise<void>;
  /** Usage and cost of sub-agents, added to the run's totals. */
  addSpend: (usage: TokenUsage, costUsd: number) => void;
}

/** The calls waiting for a decision, and the decisions taken; shared with the update handler. */
export class ApprovalBook {
  readonly pending = new Map<string, PendingToolApproval>();
  readonly decided = new Map<string, ToolApprovalOutcome>();

  problem(callId: unknown): string | undefined {
    if (typeof callId !== 'string') return 'a decision is { callId: string, approve: boolean, reason?, by? }';
    if (!this.pending.has(callId)) {
      const waiting = [...this.pending.keys()];
      return `tool call "${callId}" is not awaiting approval (awaiting: ${waiting.join(', ') || 'none'})`;
    }
    return undefined;
  }

  decide(callId: string, outcome: ToolApprovalOutcome): ToolApprovalOutcome {
    this.pending.delete(callId);
    this.decided.set(callId, outcome);
    return outcome;
  }
}

// Each call's own timeout and retries come from the agent's limits (executeWithOptions below).
const { runAgentTool } = proxyActivities<AgentActivities>({ startToCloseTimeout: '60 seconds' });

interface CallOutcome {
  record: ToolCallRecord;
  /** What the model reads. */
  text: string;
}

const failureOf = (error: unknown): { type: string; message: string } => {
  let cause: unknown = error;
  while (cause instanceof ActivityFailure || cause instanceof ChildWorkflowFailure) cause = cause.cause;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'Error', message: cause.message };
  return { type: 'Error', message: String((cause as Error)?.message ?? cause) };
};

async function awaitApproval(ctx: ToolRunContext, call: ToolCall): Promise<ToolApprovalOutcome | undefined> {
  const rule = ctx.definition.approvals?.[call.name];
  if (!rule) return undefined;
  const now = Date.now();
  const timeoutAt = new Date(now + rule.timeoutSeconds * 1000).toISOString();
  ctx.approvals.pending.set(call.id, {
    callId: call.id,
    tool: call.name,
    arguments: call.arguments,
    step: ctx.step,
    ...(rule.message ? { message: rule.message } : {}),
    requestedAt: new Date(now).toISOString(),
    timeoutAt,
    default: rule.default,
  });
  await ctx.publish([
    {
      type: 'approval_requested',
      step: ctx.step,
      callId: call.id,
      name: call.name,
      timeoutAt,
      default: rule.default,
    },
  ]);
  const inTime = await condition(() => ctx.approvals.decided.has(call.id), rule.timeoutSeconds * 1000);
  const outcome = inTime
    ? (ctx.approvals.decided.get(call.id) as ToolApprovalOutcome)
    : ctx.approvals.decide(call.id, {
        approved: rule.default === 'approve',
        timedOut: true,
        reason: null,
        by: null,
      });
  await ctx.publish([
    {
      type: 'approval_decided',
      step: ctx.step,
      callId: call.id,
      name: call.name,
      approved: outcome.approved,
      timedOut: outcome.timedOut,
      by: outcome.by,
    },
  ]);
  return outcome;
}

async function runSubAgent(
  ctx: ToolRunContext,
  agentId: string,
  call: ToolCall,
  index: number,
): Promise<string> {
  const task = (call.arguments as { input?: unknown } | null)?.input;
  const childId = subAgentId(ctx.runId, ctx.step, index);
  const child: AgentRunInput = {
    agentId,
    input: typeof task === 'string' && task ? task : JSON.stringify(call.arguments),
    runId: childId,
    ...(ctx.caller ? { caller: ctx.caller } : {}),
  };
  const result = (await executeChild('agent', {
    workflowId: childId,
    staticSummary: `sub-agent ${agentId} (step ${ctx.step})`,
    args: [child],
  })) as AgentRunResult;
  ctx.addSpend(result.usage, result.costUsd);
  return result.output;
}

async function runOne(ctx: ToolRunContext, call: ToolCall, index: number): Promise<CallOutcome> {
  const started = Date.now();
  const base = { callId: call.id, name: call.name, arguments: call.arguments };
  const failed = (type: string, message: string, extra: Partial<ToolCallRecord> = {}): CallOutcome => {
    if ((ctx.definition.onToolError ?? 'return') === 'fail' && type !== 'ToolRejectedError') {
      throw ApplicationFailure.nonRetryable(
        `step ${ctx.step}: tool ${call.name} failed (${type}): ${message}`,
        'AgentToolFailedError',
        { step: ctx.step, callId: call.id, tool: call.name, errorType: type },
      );
    }
    const text = `error (${type}): ${message}`;
    return {
      text,
      record: {
        ...base,
        summary: text.slice(0, 200),
        isError: true,
        errorType: type,
        error: message,
        durationMs: Date.now() - started,
        ...extra,
      },
    };
  };
  const tool = ctx.tools.find((t) => t.name === call.name);
  if (!tool) {
    return failed(
      'UnknownToolError',
      `there is no tool "${call.name}"; the tools are ${ctx.tools.map((t) => t.name).join(', ') || 'none'}`,
    );
  }
  const approval = await awaitApproval(ctx, call);
  if (approval && !approval.approved) {
    const why = approval.timedOut
      ? 'no decision came in time and the default is to reject'
      : (approval.reason ?? 'rejected');
    return failed('ToolRejectedError', `the call was not approved: ${why}`, { approval });
  }
  const limits = ctx.definition.limits ?? {};
  try {
    if (tool.binding.kind === 'agent') {
      const text = await runSubAgent(ctx, tool.binding.agentId, call, index);
      return {
        text,
        record: {
          ...base,
          summary: text.slice(0, 200),
          isError: false,
          durationMs: Date.now() - started,
          ...(approval ? { approval } : {}),
        },
      };
    }
    const out = await runAgentTool.executeWithOptions(
      {
        startToCloseTimeout: `${limits.toolTimeoutSeconds ?? 60} seconds`,
        retry: { maximumAttempts: limits.toolAttempts ?? 3, initialInterval: '500 milliseconds' },
        summary: `tool ${call.name} (step ${ctx.step})`,
      },
      [{ runId: ctx.runId, step: ctx.step, callId: call.id, tool, arguments: call.arguments }],
    );
    if (out.isError && (ctx.definition.onToolError ?? 'return') === 'fail') {
      return failed(out.errorType ?? 'ToolExecutionError', out.text);
    }
    return {
      text: out.isError ? `error (${out.errorType ?? 'ToolExecutionError'}): ${out.text}` : out.text,
      record: {
        ...base,
        summary: out.summary,
        isError: out.isError,
        ...(out.errorType ? { errorType: out.errorType, error: out.summary } : {}),
        ...(out.resultRef ? { resultRef: out.resultRef } : {}),
        durationMs: out.durationMs,
        ...(approval ? { approval } : {}),
      },
    };
  } catch (error) {
    if (isCancellation(error)) throw error;
    if (error instanceof ApplicationFailure && error.type === 'AgentToolFailedError') throw error;
    const { type, message } = failureOf(error);
    return failed(type, message, approval ? { approval } : {});
  }
}

/** Runs the step's calls in parallel; results come back in the calls' order. */
export function runToolCalls(ctx: ToolRunContext, calls: ToolCall[]): Promise<CallOutcome[]> {
  return Promise.all(calls.map((call, i) => runOne(ctx, call, i + 1)));
}
