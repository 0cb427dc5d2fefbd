// A stand-in for the `agent` workflow that keeps its contract (common/agents/types.ts, events.ts and
// workflows/agentMessages.ts): input, result and status shapes, the status and pending-approvals
// queries, the approveTool update with its validator, cancellation, step children `<run id>/step-<n>`
// as real llmRequest workflows (through the emulator), and progress events on the run's stream. It
// runs no tools: the agent `doors_approval` asks approval for one `calculator` call and records the
// decision; every other agent answers in one step. Test-only: the doors are tested against it until
// the real workflow is merged, then against that.
import {
  CancellationScope,
  condition,
  executeChild,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { AgentEvent } from '../../../common/agents/events.js';
import {
  type AgentRunInput,
  type AgentRunResult,
  type AgentStatus,
  type AgentStep,
  agentStepId,
  agentStreamId,
  type PendingToolApproval,
  type ToolApprovalOutcome,
} from '../../../common/agents/types.js';
import { InvalidRequestError } from '../../../common/errors.js';
import type { LlmResult } from '../../../common/request.js';
import {
  agentPendingApprovalsQuery,
  agentStatusQuery,
  approveToolUpdate,
} from '../../../workflows/agentMessages.js';
import type { llmRequest } from '../../../workflows/llmRequest.js';

export interface StandInActivities {
  publishAgentEvent(input: { streamId: string; event: AgentEvent }): Promise<void>;
}

/** The events worker listens here (it has only the publishing activity). */
export const eventsQueue = (taskQueue: string): string => `${taskQueue}-agent-events`;

export async function agent(input: AgentRunInput): Promise<AgentRunResult> {
  if (!input.agentId && !input.definition) throw new InvalidRequestError('give agentId or definition');
  const { publishAgentEvent } = proxyActivities<StandInActivities>({
    taskQueue: eventsQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '30 seconds',
  });
  const agentId = input.agentId ?? input.definition?.id ?? 'agent';
  const started = Date.now();
  const status: AgentStatus = {
    runId: input.runId,
    agentId,
    stage: 'calling_model',
    step: 1,
    maxSteps: input.overrides?.maxSteps ?? 20,
    pendingApprovals: [],
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    costUsd: 0,
    continuedRuns: 0,
  };
  const decisions = new Map<string, ToolApprovalOutcome>();
  setHandler(agentStatusQuery, () => status);
  setHandler(agentPendingApprovalsQuery, () => status.pendingApprovals);
  setHandler(
    approveToolUpdate,
    (decision) => {
      const outcome = {
        approved: decision.approve,
        timedOut: false,
        reason: decision.reason ?? null,
        by: decision.by ?? null,
      };
      decisions.set(decision.callId, outcome);
      return outcome;
    },
    {
      validator: (decision) => {
        if (!status.pendingApprovals.some((p) => p.callId === decision.callId)) {
          throw new InvalidRequestError(`no tool call ${decision.callId} is waiting for approval`);
        }
      },
    },
  );
  const publish = (event: AgentEvent) => publishAgentEvent({ streamId: agentStreamId(input.runId), event });

  try {
    const requestId = agentStepId(input.runId, 1);
    await publish({ type: 'step_started', step: 1, requestId });
    const answer: LlmResult = await executeChild<typeof llmRequest>('llmRequest', {
      workflowId: requestId,
      args: [
        {
          requestId,
          taskType: 'general_qa',
          templateId: 'general_qa',
          variables: { question: input.input },
          model: input.overrides?.model ?? 'gpt-4o-mini',
          ...(input.stream ? { stream: true } : {}),
          ...(input.caller ? { caller: input.caller } : {}),
        },
      ],
    });
    const step: AgentStep = {
      step: 1,
      requestId,
      model: answer.model,
      provider: answer.provider,
      text: answer.text,
      usage: answer.usage,
      costUsd: answer.costUsd,
      toolCalls: [],
      ...(answer.finishReason ? { finishReason: answer.finishReason } : {}),
    };
    status.usage = answer.usage;
    status.costUsd = answer.costUsd;
    if (agentId === 'doors_approval') {
      const callId = 'call-1';
      const args = { expression: '2 + 2' };
      await publish({ type: 'tool_called', step: 1, callId, name: 'calculator', arguments: args });
      const pending: PendingToolApproval = {
        callId,
        tool: 'calculator',
        arguments: args,
        step: 1,
        message: 'Run the calculator?',
        requestedAt: new Date().toISOString(),
        timeoutAt: new Date(Date.now() + 3_600_000).toISOString(),
        default: 'reject',
      };
      status.pendingApprovals = [pending];
      status.stage = 'awaiting_approval';
      await publish({
        type: 'approval_requested',
        step: 1,
        callId,
        name: 'calculator',
        timeoutAt: pending.timeoutAt,
        default: 'reject',
      });
      await condition(() => decisions.has(callId));
      const outcome = decisions.get(callId) as ToolApprovalOutcome;
      status.pendingApprovals = [];
      status.stage = 'running_tools';
      await publish({
        type: 'approval_decided',
        step: 1,
        callId,
        name: 'calculator',
        approved: outcome.approved,
        timedOut: false,
        by: outcome.by,
      });
      const summary = outcome.approved ? '4' : `rejected: ${outcome.reason ?? 'no reason'}`;
      step.toolCalls.push({
        callId,
        name: 'calculator',
        arguments: args,
        summary,
        isError: !outcome.approved,
        ...(outcome.approved ? {} : { errorType: 'ToolRejectedError' }),
        durationMs: 0,
        approval: outcome,
      });
      await publish({
        type: 'tool_result',
        step: 1,
        callId,
        name: 'calculator',
        isError: !outcome.approved,
        summary,
        durationMs: 0,
      });
    }
    status.stage = 'completed';
    status.stopReason = 'final';
    await publish({
      type: 'finished',
      stopReason: 'final',
      output: answer.text,
      usage: answer.usage,
      costUsd: answer.costUsd,
    });
    return {
      runId: input.runId,
      agentId,
      output: answer.text,
      stopReason: 'final',
      steps: [step],
      usage: answer.usage,
      costUsd: answer.costUsd,
      conversationRef: 'blob:stand-in',
      durationMs: Date.now() - started,
      continuedRuns: 0,
    };
  } catch (error) {
    status.stage = isCancellation(error) ? 'cancelled' : 'failed';
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() =>
        publish({ type: 'agent_failed', errorType: 'CancelledFailure', message: 'cancelled' }),
      );
    }
    throw error;
  }
}
