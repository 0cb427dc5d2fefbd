// pipeline: an agent pipeline as a workflow. Loads (or checks) the definition, then runs every step as
// soon as the steps it needs are done, so independent steps run in parallel; each request is a child
// workflow `<pipeline id>/<step>[/<index>]` with its own full history. The result maps step names to
// outputs, with total usage and cost. A failing step fails the pipeline (or is skipped, or replaced by
// its fallback); a spent budget, a passed deadline, a rejection or a cancel stops everything: running
// children are cancelled and nothing new starts.
import { ApplicationFailure } from '@temporalio/common';
import {
  CancellationScope,
  isCancellation,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PipelineActivities } from '../activities/pipelines.js';
import { ConfigError, InvalidRequestError, rootFailure } from '../common/errors.js';
import { PipelineDeadlineExceededError } from '../common/pipelines/errors.js';
import { bind, textOf } from '../common/pipelines/expressions.js';
import { type CompiledPipeline, compilePipeline } from '../common/pipelines/plan.js';
import {
  type ApprovalStepDefinition,
  DEFAULT_BLOB_THRESHOLD_BYTES,
  isAgentStep,
  isApprovalStep,
  type PipelineDefinition,
  type PipelineInput,
  type PipelineResult,
  type PipelineStatus,
  type StepState,
} from '../common/pipelines/types.js';
import type { JsonValue } from '../common/request.js';
import { checkWorkflowInput } from '../common/workflowInput.js';
import { runAgentStep } from './pipelineAgentStep.js';
import { ApprovalDesk } from './pipelineApprovals.js';
import { pipelineStatusQuery } from './pipelineMessages.js';
import { type RunContext, runRequestStep, type StepOutcome } from './pipelineSteps.js';
import { LlmCaller, LlmCostUsd, LlmStatus, LlmTaskType } from './searchAttributes.js';

export { pipelineStep } from './pipelineStep.js';

const { loadPipeline } = proxyLocalActivities<PipelineActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['ConfigError'] },
});

export async function pipeline(input: PipelineInput): Promise<PipelineResult> {
  checkWorkflowInput('pipeline', input);
  const { workflowId } = workflowInfo();
  const startedAt = Date.now();
  const status: PipelineStatus = {
    pipelineId: workflowId,
    stage: 'loading',
    steps: [],
    pendingApprovals: [],
    costUsd: 0,
  };
  const desk = new ApprovalDesk(() => status.steps);
  desk.install();
  setHandler(pipelineStatusQuery, () => ({ ...status, pendingApprovals: desk.list() }));
  upsertSearchAttributes([
    { key: LlmTaskType, value: 'pipeline' },
    { key: LlmStatus, value: 'running' },
    ...(input.caller ? [{ key: LlmCaller, value: input.caller }] : []),
  ]);
  const finish = (stage: PipelineStatus['stage']): void => {
    status.stage = stage;
    upsertSearchAttributes([
      { key: LlmStatus, value: stage },
      { key: LlmCostUsd, value: status.costUsd },
    ]);
  };

  try {
    if (!input.definition && !input.pipeline) {
      throw new InvalidRequestError(
        'a pipeline run names a pipeline (`pipeline`) or carries its `definition`',
      );
    }
    const definition = await loadPipeline(
      input.definition ? { definition: input.definition } : { name: input.pipeline as string },
    );
    const compiled = compilePipeline(definition);
    if (!compiled.ok) {
      throw new ConfigError(compiled.problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    }
    status.name = definition.name;
    const budgetUsd = input.budgetUsd ?? definition.budgetUsd;
    const deadlineSeconds = input.deadlineSeconds ?? definition.deadlineSeconds;
    if (budgetUsd !== undefined) status.budgetUsd = budgetUsd;
    const ctx: RunContext = {
      pipelineId: workflowId,
      status,
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
      scope: { input: pipelineInputs(definition, input.input ?? {}), steps: {} },
      blobThresholdBytes: input.blobThresholdBytes ?? DEFAULT_BLOB_THRESHOLD_BYTES,
      caller: input.caller ?? `pipeline:${definition.name}`,
      stopping: () => false,
      ...(budgetUsd !== undefined ? { budgetUsd } : {}),
      ...(deadlineSeconds !== undefined ? { deadlineAt: startedAt + deadlineSeconds * 1000 } : {}),
    };
    if (ctx.deadlineAt !== undefined) status.deadlineAt = new Date(ctx.deadlineAt).toISOString();
    status.steps = definition.steps.map(initialState);
    status.stage = 'running';

    await runSteps(ctx, compiled.compiled, desk);

    finish('completed');
    const outputs: Record<string, JsonValue> = {};
    for (const step of definition.steps) {
      const done = ctx.scope.steps[step.name];
      if (done) outputs[step.name] = done.output;
    }
    return {
      pipelineId: workflowId,
      name: definition.name,
      outputs,
      steps: status.steps,
      usage: ctx.usage,
      costUsd: status.costUsd,
      durationMs: Date.now() - startedAt,
    };
  } catch (error) {
    if (isCancellation(error)) {
      finish('cancelled');
      throw error;
    }
    finish('failed');
    // Surface the typed failure itself (ConfigError from the loader, not "activity failed").
    throw rootFailure(error) ?? error;
  }
}

function initialState(step: PipelineDefinition['steps'][number]): StepState {
  return {
    name: step.name,
    kind: isApprovalStep(step) ? 'approval' : isAgentStep(step) ? 'agent' : 'request',
    status: 'pending',
    children: [],
    models: [],
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    costUsd: 0,
    warnings: [],
  };
}

/** The run's inputs with the definition's defaults; missing and unknown names are refused. */
function pipelineInputs(
  definition: PipelineDefinition,
  given: Record<string, JsonValue>,
): Record<string, JsonValue> {
  const required = definition.requiredInputs ?? [];
  const optional = definition.optionalInputs ?? {};
  const declared = [...required, ...Object.keys(optional)];
  const missing = required.filter((name) => given[name] === undefined || given[name] === null);
  if (missing.length > 0) {
    throw new InvalidRequestError(
      `pipeline ${definition.name} needs input(s) ${missing.join(', ')}: pass them with --var name=value`,
      { details: { missing } },
    );
  }
  const unknown = Object.keys(given).filter((name) => !declared.includes(name));
  if (unknown.length > 0) {
    throw new InvalidRequestError(
      `pipeline ${definition.name} has no input(s) ${unknown.join(', ')}; its inputs are ${declared.join(', ') || 'none'}`,
      { details: { unknown, declared } },
    );
  }
  return { ...optional, ...given };
}

/**
 * Starts each step once everything it needs has finished. The first failure that ends the pipeline
 * cancels the scope: running children are cancelled (and awaited), steps not started stay so.
 */
async function runSteps(ctx: RunContext, compiled: CompiledPipeline, desk: ApprovalDesk): Promise<void> {
  const scope = new CancellationScope();
  let fatal: unknown;
  const stop = (error: unknown): void => {
    if (fatal !== undefined) return;
    fatal = error;
    scope.cancel();
  };
  ctx.stopping = () => fatal !== undefined;
  const stateOf = (name: string): StepState => ctx.status.steps.find((s) => s.name === name) as StepState;

  await scope.run(async () => {
    if (ctx.deadlineAt !== undefined) {
      const deadline = new Date(ctx.deadlineAt).toISOString();
      sleep(Math.max(1, ctx.deadlineAt - Date.now())).then(
        () =>
          stop(
            new PipelineDeadlineExceededError(`the pipeline did not finish by its deadline ${deadline}`, {
              details: { deadline },
            }),
          ),
        () => {}, // cancelled: the pipeline ended first
      );
    }
    const finished = new Map<string, Promise<void>>();
    for (const { step, needs } of compiled.order) {
      const ready = Promise.all(needs.map((n) => finished.get(n)));
      const run = ready.then(async () => {
        const state = stateOf(step.name);
        if (fatal !== undefined) {
          state.status = 'not_started';
          return;
        }
        state.status = 'running';
        state.startedAt = new Date().toISOString();
        try {
          const outcome = isApprovalStep(step)
            ? await runApprovalStep(ctx, step, state, desk)
            : isAgentStep(step)
              ? await runAgentStep(ctx, step, state)
              : await runRequestStep(ctx, step, state);
          ctx.scope.steps[step.name] = { output: outcome.output };
          state.status = outcome.status;
        } catch (error) {
          state.status = isCancellation(error) ? 'cancelled' : 'failed';
          if (!isCancellation(error)) {
            const root = rootFailure(error);
            state.errorType = root?.type ?? 'Error';
            state.error = root?.message ?? String(error);
          }
          stop(error);
        } finally {
          state.finishedAt = new Date().toISOString();
        }
      });
      finished.set(step.name, run);
    }
    await Promise.all(finished.values());
    scope.cancel(); // ends the deadline timer
  });
  if (fatal !== undefined)
    throw fatal instanceof Error ? fatal : ApplicationFailure.nonRetryable(String(fatal));
}

async function runApprovalStep(
  ctx: RunContext,
  step: ApprovalStepDefinition,
  state: StepState,
  desk: ApprovalDesk,
): Promise<StepOutcome> {
  state.status = 'awaiting_approval';
  let message: string | undefined;
  if (step.approval.message !== undefined) {
    try {
      message = textOf(bind(step.approval.message, ctx.scope));
    } catch (error) {
      message = `${step.approval.message} (${(error as Error).message})`;
    }
  }
  const outcome = await desk.wait(step, message);
  return { output: outcome, status: 'completed' };
}
