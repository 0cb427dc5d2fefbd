// Running one request step of a pipeline: bind its variables, start its child (or one child per item
// of a forEach, in dependency waves with bounded concurrency), count what it cost, and apply its
// failure policy. Budget and deadline are checked before every child starts.
import { executeChild, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { PipelineActivities } from '../activities/pipelines.js';
import { BudgetExceededError, rootFailure } from '../common/errors.js';
import {
  ApprovalRejectedError,
  DependencyCycleError,
  PipelineDeadlineExceededError,
  PipelineReferenceError,
  PipelineStepFailedError,
} from '../common/pipelines/errors.js';
import {
  type BlobPointer,
  bind,
  ExpressionError,
  isBlobPointer,
  lookup,
  type Reference,
  wholeReference,
} from '../common/pipelines/expressions.js';
import { parseTemplateRef } from '../common/pipelines/plan.js';
import {
  DEFAULT_FOR_EACH_CONCURRENCY,
  type PipelineStatus,
  type PipelineStepResult,
  type RequestStepDefinition,
  type StepState,
  type StepStatus,
} from '../common/pipelines/types.js';
import type { Attempt, JsonValue, LlmRequest, TokenUsage } from '../common/request.js';
import { pipelineStep } from './pipelineStep.js';
import { dependencyWaves } from './pipelineWaves.js';

const { peekBlob } = proxyActivities<PipelineActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['BlobNotFoundError'] },
});

export interface RunContext {
  pipelineId: string;
  status: PipelineStatus;
  usage: TokenUsage;
  /** What references see: `input` and each finished step's `output`. */
  scope: { input: Record<string, JsonValue>; steps: Record<string, { output: JsonValue }> };
  budgetUsd?: number;
  /** Epoch ms. */
  deadlineAt?: number;
  blobThresholdBytes: number;
  caller: string;
  /** True once the pipeline is failing or cancelled: nothing new starts. */
  stopping(): boolean;
}

export interface StepOutcome {
  output: JsonValue;
  status: StepStatus;
}

/** Failures that end the pipeline whatever the step's policy says. */
export function isFatal(error: unknown): boolean {
  return (
    isCancellation(error) ||
    error instanceof BudgetExceededError ||
    error instanceof PipelineDeadlineExceededError ||
    error instanceof ApprovalRejectedError
  );
}

export async function runRequestStep(
  ctx: RunContext,
  step: RequestStepDefinition,
  state: StepState,
): Promise<StepOutcome> {
  if (!step.forEach) {
    return withPolicy(step, state, undefined, async () => (await runChild(ctx, step, state)).output);
  }
  let plan: ItemPlan;
  try {
    plan = await planItems(ctx, step, state);
  } catch (error) {
    return applyPolicy(step, state, undefined, error);
  }
  const outputs: JsonValue[] = new Array<JsonValue>(plan.count).fill(null);
  state.items = { total: plan.count, finished: 0, waves: plan.waves };
  const concurrency = step.forEach.concurrency ?? DEFAULT_FOR_EACH_CONCURRENCY;
  for (const wave of plan.waves) {
    await pool(wave, concurrency, ctx.stopping, async (index) => {
      const item = plan.item(index);
      const outcome = await withPolicy(step, state, index, async () => {
        return (await runChild(ctx, step, state, { item, index })).output;
      });
      outputs[index] = outcome.output;
      if (state.items) state.items.finished++;
    });
  }
  return { output: outputs, status: 'completed' };
}

/** What the failure policy needs of a step (a request or an agent step). */
type PolicyStep = Pick<RequestStepDefinition, 'name' | 'onFailure'>;

export async function withPolicy(
  step: PolicyStep,
  state: StepState,
  index: number | undefined,
  run: () => Promise<JsonValue>,
): Promise<StepOutcome> {
  try {
    return { output: await run(), status: 'completed' };
  } catch (error) {
    return applyPolicy(step, state, index, error);
  }
}

/** The step's failure policy: rethrow as PipelineStepFailedError, or carry on with null / a fallback. */
export function applyPolicy(
  step: PolicyStep,
  state: StepState,
  index: number | undefined,
  error: unknown,
): StepOutcome {
  if (isFatal(error)) throw error;
  const root = rootFailure(error);
  const type = root?.type ?? (error instanceof Error ? error.name : 'Error');
  const message = root?.message ?? (error instanceof Error ? error.message : String(error));
  const label = index === undefined ? `"${step.name}"` : `"${step.name}" item ${index}`;
  const policy = step.onFailure ?? 'fail';
  if (policy === 'fail') {
    throw new PipelineStepFailedError(`step ${label} failed: ${type}: ${message}`, {
      details: { step: step.name, ...(index !== undefined ? { index } : {}), errorType: type },
      ...(root ? { cause: root } : {}),
    });
  }
  const what = policy === 'skip' ? 'skipped' : 'used its fallback value';
  if (index === undefined) {
    state.errorType = type;
    state.error = message;
  } else {
    state.warnings.push(`item ${index} ${what} after ${type}: ${message}`);
  }
  return policy === 'skip'
    ? { output: null, status: 'skipped' }
    : { output: policy.fallback, status: 'fallback' };
}

function childId(ctx: RunContext, step: RequestStepDefinition, index: number | undefined): string {
  return index === undefined ? `${ctx.pipelineId}/${step.name}` : `${ctx.pipelineId}/${step.name}/${index}`;
}

/** Refuses to start anything once the budget is spent or the deadline has passed. */
export function checkLimits(ctx: RunContext, what: string): void {
  const spent = ctx.status.costUsd;
  if (ctx.budgetUsd !== undefined && spent >= ctx.budgetUsd) {
    throw new BudgetExceededError(
      `pipeline budget of $${ctx.budgetUsd} reached: $${spent.toFixed(6)} spent, so ${what} and the steps after it were not started`,
      { details: { budgetUsd: ctx.budgetUsd, spentUsd: spent, step: what } },
    );
  }
  if (ctx.deadlineAt !== undefined && Date.now() >= ctx.deadlineAt) {
    throw new PipelineDeadlineExceededError(`the pipeline's deadline passed before ${what} could start`, {
      details: { deadlineAt: new Date(ctx.deadlineAt).toISOString(), step: what },
    });
  }
}

async function runChild(
  ctx: RunContext,
  step: RequestStepDefinition,
  state: StepState,
  each?: { item: JsonValue; index: number },
): Promise<PipelineStepResult> {
  const workflowId = childId(ctx, step, each?.index);
  checkLimits(ctx, workflowId);
  let variables: JsonValue;
  try {
    variables = bind(step.variables ?? {}, { ...ctx.scope, ...(each ?? {}) });
  } catch (error) {
    if (error instanceof ExpressionError) throw new PipelineReferenceError(`${workflowId}: ${error.message}`);
    throw error;
  }
  const request: LlmRequest = {
    requestId: workflowId,
    taskType: step.taskType,
    ...parseTemplateRef(step.template),
    variables: variables as Record<string, JsonValue>,
    caller: ctx.caller,
    ...(step.outputFormat ? { outputFormat: step.outputFormat } : {}),
    ...(step.schema ? { schema: step.schema } : {}),
    ...(step.model ? { model: step.model } : {}),
    ...(step.fallbackModels ? { fallbackModels: step.fallbackModels } : {}),
    ...(step.params ? { params: step.params } : {}),
    ...(step.criteria ? { criteria: step.criteria } : {}),
    ...(step.maxRepairs !== undefined ? { maxRepairs: step.maxRepairs } : {}),
    ...childDeadline(ctx, step),
  };
  state.children.push(workflowId);
  try {
    const result = await executeChild(pipelineStep, {
      workflowId,
      args: [{ request, blobThresholdBytes: ctx.blobThresholdBytes }],
    });
    spend(ctx, state, result.costUsd, result.usage);
    state.models.push(result.model);
    return result;
  } catch (error) {
    // A failed request may still have cost something: its attempts say what.
    const attempts =
      (rootFailure(error)?.details?.[0] as { attempts?: Attempt[] } | undefined)?.attempts ?? [];
    const cost = attempts.reduce((sum, a) => sum + (a.costUsd ?? 0), 0);
    if (cost > 0) spend(ctx, state, cost, { inputTokens: 0, outputTokens: 0, totalTokens: 0 });
    throw error;
  }
}

/** What is left of the pipeline's deadline (and the step's own), in whole seconds, for the child. */
export function childDeadline(
  ctx: RunContext,
  step: Pick<RequestStepDefinition, 'deadlineSeconds'>,
): { deadlineSeconds?: number } {
  const limits: number[] = [];
  if (step.deadlineSeconds !== undefined) limits.push(step.deadlineSeconds);
  if (ctx.deadlineAt !== undefined) limits.push((ctx.deadlineAt - Date.now()) / 1000);
  if (limits.length === 0) return {};
  return { deadlineSeconds: Math.max(1, Math.ceil(Math.min(...limits))) };
}

export function spend(ctx: RunContext, state: StepState, costUsd: number, usage: TokenUsage): void {
  state.costUsd += costUsd;
  ctx.status.costUsd += costUsd;
  for (const target of [state.usage, ctx.usage]) {
    target.inputTokens += usage.inputTokens;
    target.outputTokens += usage.outputTokens;
    target.totalTokens += usage.totalTokens;
  }
}

// --- forEach -------------------------------------------------------------------------------------

interface ItemPlan {
  count: number;
  item(index: number): JsonValue;
  waves: number[][];
}

/** The items (inline, or pointers into a blob) and the waves to run them in. */
async function planItems(ctx: RunContext, step: RequestStepDefinition, state: StepState): Promise<ItemPlan> {
  const forEach = step.forEach as NonNullable<RequestStepDefinition['forEach']>;
  const order = forEach.order;
  const keyField = order?.key ?? 'title';
  const itemsRef = wholeReference(forEach.items) as Reference;
  const found = lookup(ctx.scope, itemsRef.path);
  if (!found.found) {
    throw new PipelineReferenceError(
      `step "${step.name}": forEach.items \${${itemsRef.source}} refers to nothing: ${found.reason}`,
    );
  }
  let items: JsonValue[] | undefined;
  let pointer: BlobPointer | undefined;
  let count = 0;
  let keys: (JsonValue | undefined)[] = [];
  if (isBlobPointer(found.value)) {
    const peek = await peekBlob({
      pointer: found.value,
      maxBytes: ctx.blobThresholdBytes,
      ...(order ? { fields: [keyField] } : {}),
    });
    if (!peek.found || peek.length === undefined) {
      throw new PipelineReferenceError(
        `step "${step.name}": forEach.items \${${itemsRef.source}} is not an array${peek.reason ? ` (${peek.reason})` : ''}`,
      );
    }
    count = peek.length;
    if (Array.isArray(peek.value)) items = peek.value;
    else pointer = found.value;
    keys = peek.fields?.map((f) => f[0]) ?? [];
  } else if (found.value === null) {
    items = []; // e.g. the output of a skipped step: nothing to do
  } else if (Array.isArray(found.value)) {
    items = found.value;
  } else {
    throw new PipelineReferenceError(
      `step "${step.name}": forEach.items \${${itemsRef.source}} is ${typeof found.value}, not an array`,
    );
  }
  if (items) {
    count = items.length;
    keys = items.map((it) =>
      it !== null && typeof it === 'object' && !Array.isArray(it) ? it[keyField] : undefined,
    );
  }
  const item = (index: number): JsonValue =>
    items
      ? (items[index] ?? null)
      : { $ref: (pointer as BlobPointer).$ref, $path: [...(pointer?.$path ?? []), index] };
  const all = Array.from({ length: count }, (_, i) => i);
  if (!order) return { count, item, waves: count ? [all] : [] };

  const from = order.from ?? 'from_task';
  const to = order.to ?? 'to_task';
  const dependenciesRef = wholeReference(order.dependencies) as Reference;
  const listed = lookup(ctx.scope, dependenciesRef.path);
  let edges: JsonValue | undefined = listed.found ? listed.value : undefined;
  if (!listed.found) {
    state.warnings.push(
      `no dependency list at \${${dependenciesRef.source}} (${listed.reason}); items run without ordering`,
    );
  }
  if (isBlobPointer(edges)) {
    const peek = await peekBlob({ pointer: edges, maxBytes: 0, fields: [from, to] });
    edges = peek.fields?.map(([f, t]) => ({ [from]: f ?? null, [to]: t ?? null }));
  }
  const planned = dependencyWaves(keys.slice(0, count), edges, { from, to }, order.unknown ?? 'ignore');
  state.warnings.push(...planned.warnings);
  if (!planned.ok) {
    const message = `step "${step.name}": ${planned.message}`;
    throw planned.reason === 'cycle'
      ? new DependencyCycleError(message)
      : new PipelineReferenceError(message);
  }
  return { count, item, waves: planned.waves };
}

/** Runs `work` for each index with at most `limit` at once; stops taking new ones after a failure. */
async function pool(
  indices: number[],
  limit: number,
  stopping: () => boolean,
  work: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (next < indices.length && !failed && !stopping()) {
      const index = indices[next++] as number;
      try {
        await work(index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, indices.length) }, lane));
}
