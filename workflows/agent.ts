// agent: the durable tool loop. Each step is a child llmRequest (`<run id>/step-<n>`: routing,
// fallbacks, retries, budgets and the ledger as for any request; cache off unless the agent says
// otherwise); the step's tool calls run in parallel as activities (workflows/agentTools.ts); their
// results go back to the model, until it answers without calling a tool or a limit stops the run.
// Past a number of steps the run continues as new, carrying the conversation by reference, so its
// history stays bounded however long the agent works.
import {
  ApplicationFailure,
  ContinueAsNew,
  continueAsNew,
  executeChild,
  isCancellation,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { AgentActivities } from '../activities/agents.js';
import type { PipelineActivities } from '../activities/pipelines.js';
import type { AgentEvent } from '../common/agents/events.js';
import {
  type AgentCarry,
  type AgentDefinition,
  type AgentRunInput,
  type AgentRunResult,
  type AgentStatus,
  type AgentStep,
  type AgentStopReason,
  agentStepId,
} from '../common/agents/types.js';
import { InvalidRequestError, rootFailure } from '../common/errors.js';
import type { ChatMessage, LlmRequest, LlmResult, TokenUsage } from '../common/request.js';
import { addUsage, sumUsd, ZERO_USAGE } from '../common/usage.js';
import { checkWorkflowInput } from '../common/workflowInput.js';
import {
  agentPendingApprovalsQuery,
  agentStatusQuery,
  approveToolSignal,
  approveToolUpdate,
} from './agentMessages.js';
import { ApprovalBook, runToolCalls } from './agentTools.js';

const { loadAgentDefinition, resolveAgentTools, publishAgentEvents, storeBlob, loadBlob } =
  proxyLocalActivities<AgentActivities & PipelineActivities>({
    startToCloseTimeout: '60 seconds',
    retry: { maximumAttempts: 3 },
  });

const DEFAULT_MAX_STEPS = 20;
const DEFAULT_DEADLINE_SECONDS = 600;
/** Steps one run takes before it continues as new (sooner when Temporal suggests it). */
export const STEPS_PER_RUN = 40;

function limitsOf(definition: AgentDefinition, input: AgentRunInput) {
  const limits = definition.limits ?? {};
  const o = input.overrides ?? {};
  return {
    maxSteps: o.maxSteps ?? limits.maxSteps ?? DEFAULT_MAX_STEPS,
    maxTokens: o.maxTokens ?? limits.maxTokens,
    maxCostUsd: o.maxCostUsd ?? limits.maxCostUsd,
    deadlineSeconds: o.deadlineSeconds ?? limits.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS,
  };
}

function stepRequest(
  definition: AgentDefinition,
  input: AgentRunInput,
  requestId: string,
  messages: ChatMessage[],
  tools: LlmRequest['tools'],
  deadlineSeconds: number,
): LlmRequest {
  const model = input.overrides?.model ?? definition.model;
  return {
    requestId,
    taskType: definition.taskType ?? 'agent',
    templateId: 'chat',
    variables: {},
    messages,
    ...(tools?.length ? { tools, toolChoice: 'auto' as const } : {}),
    ...(model ? { model } : {}),
    ...(definition.fallbackModels?.length ? { fallbackModels: definition.fallbackModels } : {}),
    ...(definition.params ? { params: definition.params } : {}),
    ...(input.caller ? { caller: input.caller } : {}),
    ...(input.stream ? { stream: true } : {}),
    cache: definition.cache ?? 'off',
    deadlineSeconds: Math.max(1, Math.ceil(deadlineSeconds)),
  };
}

export async function agent(input: AgentRunInput): Promise<AgentRunResult> {
  checkWorkflowInput('agent', input);
  const { runId } = input;
  const carried: AgentCarry | undefined = input.carried;
  const approvals = new ApprovalBook();
  const status: AgentStatus = {
    runId,
    ...(input.agentId ? { agentId: input.agentId } : {}),
    stage: 'loading',
    step: carried?.stepsDone ?? 0,
    pendingApprovals: [],
    usage: carried?.usage ?? ZERO_USAGE,
    costUsd: carried?.costUsd ?? 0,
    continuedRuns: carried?.continuedRuns ?? 0,
  };
  setHandler(agentStatusQuery, () => ({ ...status, pendingApprovals: [...approvals.pending.values()] }));
  setHandler(agentPendingApprovalsQuery, () => [...approvals.pending.values()]);
  const decide = (d: { callId: string; approve: boolean; reason?: string; by?: string }) =>
    approvals.decide(d.callId, {
      approved: d.approve,
      timedOut: false,
      reason: d.reason ?? null,
      by: d.by ?? null,
    });
  setHandler(approveToolUpdate, decide, {
    validator: (d) => {
      const problem =
        typeof d?.approve !== 'boolean' ? 'approve must be true or false' : approvals.problem(d?.callId);
      if (problem) throw new InvalidRequestError(problem, { details: { callId: d?.callId } });
    },
  });
  setHandler(approveToolSignal, (d) => {
    if (typeof d?.approve === 'boolean' && !approvals.problem(d?.callId)) decide(d);
  });
  const publish = (events: AgentEvent[]) => publishAgentEvents({ runId, events });

  try {
    const definition = carried?.definition ?? (await loadAgentDefinition(pickSource(input)));
    status.agentId = definition.id;
    const limits = limitsOf(definition, input);
    status.maxSteps = limits.maxSteps;
    const startedAt = carried?.startedAt ?? Date.now();
    const deadlineAt = carried?.deadlineAt ?? startedAt + limits.deadlineSeconds * 1000;
    const tools = await resolveAgentTools({ definition });
    const offered = tools.map(({ name, description, parameters }) => ({ name, description, parameters }));
    const messages: ChatMessage[] = carried
      ? ((await loadBlob({ ref: carried.conversationRef })) as unknown as ChatMessage[])
      : [
          { role: 'system', content: definition.instructions ?? '' },
          { role: 'user', content: input.input },
        ];
    const steps: AgentStep[] = [];
    let stepsDone = carried?.stepsDone ?? 0;
    let usage: TokenUsage = status.usage;
    let costUsd = status.costUsd;
    const addSpend = (u: TokenUsage, c: number) => {
      usage = addUsage(usage, u);
      costUsd = sumUsd([costUsd, c]);
      status.usage = usage;
      status.costUsd = costUsd;
    };
    let output = '';
    let stopReason: AgentStopReason | undefined;

    while (!stopReason) {
      if (stepsDone >= limits.maxSteps) stopReason = 'max_steps';
      else if (Date.now() >= deadlineAt) stopReason = 'deadline';
      else if (
        (limits.maxTokens !== undefined && usage.totalTokens >= limits.maxTokens) ||
        (limits.maxCostUsd !== undefined && costUsd >= limits.maxCostUsd)
      )
        stopReason = 'budget';
      if (stopReason) break;

      const n = stepsDone + 1;
      const requestId = agentStepId(runId, n);
      status.step = n;
      status.stage = 'calling_model';
      await publish([{ type: 'step_started', step: n, requestId }]);
      const request = stepRequest(
        definition,
        input,
        requestId,
        messages,
        offered,
        (deadlineAt - Date.now()) / 1000,
      );
      const answer = (await executeChild('llmRequest', {
        workflowId: requestId,
        staticSummary: `step ${n}`,
        args: [request],
      })) as LlmResult;
      addSpend(answer.usage, answer.costUsd);
      const calls = answer.toolCalls ?? [];
      messages.push({
        role: 'assistant',
        content: answer.text ?? '',
        ...(calls.length ? { toolCalls: calls } : {}),
      });
      const step: AgentStep = {
        step: n,
        requestId,
        model: answer.model,
        provider: answer.provider,
        ...(answer.finishReason ? { finishReason: answer.finishReason } : {}),
        text: answer.text ?? '',
        usage: answer.usage,
        costUsd: answer.costUsd,
        toolCalls: [],
      };
      output = answer.text ?? '';
      if (calls.length === 0) {
        stopReason = 'final';
      } else {
        status.stage = approvalsNeeded(definition, calls) ? 'awaiting_approval' : 'running_tools';
        const outcomes = await runToolCalls(
          {
            runId,
            step: n,
            definition,
            tools,
            approvals,
            publish,
            addSpend,
            ...(input.caller ? { caller: input.caller } : {}),
          },
          calls,
        );
        for (const [i, call] of calls.entries()) {
          const outcome = outcomes[i];
          if (!outcome) continue;
          step.toolCalls.push(outcome.record);
          messages.push({
            role: 'tool',
            toolCallId: call.id,
            content: outcome.text,
            ...(outcome.record.isError ? { isError: true } : {}),
          });
        }
      }
      steps.push(step);
      stepsDone = n;
      if (!stopReason && (steps.length >= STEPS_PER_RUN || workflowInfo().continueAsNewSuggested)) {
        const earlier = carried?.stepsRef
          ? ((await loadBlob({ ref: carried.stepsRef })) as unknown as AgentStep[])
          : [];
        const conversation = await storeBlob({ value: messages as unknown as never });
        const allSteps = await storeBlob({ value: [...earlier, ...steps] as unknown as never });
        const carry: AgentCarry = {
          conversationRef: conversation.$ref,
          messageCount: messages.length,
          stepsDone,
          stepsRef: allSteps.$ref,
          usage,
          costUsd,
          startedAt,
          deadlineAt,
          definition,
          continuedRuns: (carried?.continuedRuns ?? 0) + 1,
        };
        await continueAsNew<typeof agent>({ ...input, carried: carry });
      }
    }

    const earlier = carried?.stepsRef
      ? ((await loadBlob({ ref: carried.stepsRef })) as unknown as AgentStep[])
      : [];
    const conversation = await storeBlob({ value: messages as unknown as never });
    status.stage = 'completed';
    status.stopReason = stopReason;
    await publish([{ type: 'finished', stopReason, output, usage, costUsd }]);
    return {
      runId,
      agentId: definition.id,
      output,
      stopReason,
      steps: [...earlier, ...steps],
      usage,
      costUsd,
      conversationRef: conversation.$ref,
      durationMs: Date.now() - startedAt,
      continuedRuns: carried?.continuedRuns ?? 0,
    };
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    if (isCancellation(error)) {
      status.stage = 'cancelled';
      throw error;
    }
    const root = rootFailure(error);
    status.stage = 'failed';
    status.errorType = root?.type ?? 'Error';
    status.error = root?.message ?? String(error);
    await publish([{ type: 'agent_failed', errorType: status.errorType, message: status.error }]).catch(
      () => undefined,
    );
    throw root ?? ApplicationFailure.nonRetryable(String(error), 'InternalError');
  }
}

function pickSource(input: AgentRunInput): { agentId?: string; definition?: AgentDefinition } {
  return input.definition ? { definition: input.definition } : { agentId: input.agentId ?? '' };
}

function approvalsNeeded(definition: AgentDefinition, calls: { name: string }[]): boolean {
  return calls.some((c) => definition.approvals?.[c.name] !== undefined);
}
