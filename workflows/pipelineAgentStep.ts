// Running one agent step of a pipeline: bind its input, start the agent as the step's child `agent`
// workflow (id `<pipeline id>/<step>`), count what it cost, and apply the step's failure policy. The
// pipeline's remaining budget and deadline cap the agent's own.
import { executeChild, proxyActivities } from '@temporalio/workflow';
import type { PipelineActivities } from '../activities/pipelines.js';
import {
  AGENT_WORKFLOW,
  type AgentOverrides,
  type AgentRunInput,
  type AgentRunResult,
} from '../common/agents/types.js';
import { PipelineReferenceError } from '../common/pipelines/errors.js';
import { bind, blobRefsIn, ExpressionError, materialize, textOf } from '../common/pipelines/expressions.js';
import type { AgentStepDefinition, StepState } from '../common/pipelines/types.js';
import type { JsonValue } from '../common/request.js';
import {
  checkLimits,
  childDeadline,
  type RunContext,
  type StepOutcome,
  spend,
  withPolicy,
} from './pipelineSteps.js';

const { loadBlob } = proxyActivities<PipelineActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['BlobNotFoundError'] },
});

type AgentWorkflow = (input: AgentRunInput) => Promise<AgentRunResult>;

export async function runAgentStep(
  ctx: RunContext,
  step: AgentStepDefinition,
  state: StepState,
): Promise<StepOutcome> {
  return withPolicy(step, state, undefined, async () => {
    const runId = `${ctx.pipelineId}/${step.name}`;
    checkLimits(ctx, runId);
    const input = await boundInput(ctx, step, runId);
    const overrides = agentOverrides(ctx, step);
    state.children.push(runId);
    const result = await executeChild<AgentWorkflow>(AGENT_WORKFLOW, {
      workflowId: runId,
      args: [
        {
          agentId: step.agent,
          input,
          runId,
          caller: ctx.caller,
          ...(Object.keys(overrides).length ? { overrides } : {}),
        },
      ],
    });
    spend(ctx, state, result.costUsd, result.usage);
    state.models.push(...new Set(result.steps.map((s) => s.model)));
    return result.output as JsonValue;
  });
}

/** The step's input as text; values kept in the blob store are loaded (an agent's task is inline text). */
async function boundInput(ctx: RunContext, step: AgentStepDefinition, runId: string): Promise<string> {
  try {
    const bound = bind(step.input, ctx.scope);
    const refs = blobRefsIn(bound);
    if (refs.length === 0) return textOf(bound);
    const loaded = new Map<string, JsonValue>();
    await Promise.all(refs.map(async (ref) => loaded.set(ref, await loadBlob({ ref }))));
    return textOf(materialize(bound, loaded));
  } catch (error) {
    if (error instanceof ExpressionError) throw new PipelineReferenceError(`${runId}: ${error.message}`);
    throw error;
  }
}

/** The step's overrides, capped by what is left of the pipeline's budget and deadline. */
function agentOverrides(ctx: RunContext, step: AgentStepDefinition): AgentOverrides {
  const left = ctx.budgetUsd !== undefined ? ctx.budgetUsd - ctx.status.costUsd : undefined;
  const costs = [step.maxCostUsd, left].filter((n): n is number => n !== undefined);
  const { deadlineSeconds } = childDeadline(ctx, step);
  return {
    ...(step.model ? { model: step.model } : {}),
    ...(step.maxSteps !== undefined ? { maxSteps: step.maxSteps } : {}),
    ...(costs.length ? { maxCostUsd: Math.min(...costs) } : {}),
    ...(deadlineSeconds !== undefined ? { deadlineSeconds } : {}),
  };
}
