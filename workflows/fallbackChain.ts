// Walks a route plan model by model, in order, until one answers: the first model in the request's
// own history (the fast path), each model fallen back to as a modelCall child. Each model's tries
// (and its failure, when it fails) are added to `attempts`, so the request lists every try.
import { executeChild, isCancellation, workflowInfo } from '@temporalio/workflow';
import { skippedAttempt } from '../common/attempts.js';
import { ContextLengthExceededError, rootFailure } from '../common/errors.js';
import { pickDefined } from '../common/pick.js';
import type { RoutePlan } from '../common/plan.js';
import type { RenderedPrompt } from '../common/prompt.js';
import type { Attempt, LlmRequest } from '../common/request.js';
import {
  MODEL_CALL_REQUEST_FIELDS,
  type ModelCallFailureDetails,
  type ModelCallInput,
  type ModelCallResult,
} from './definitions.js';
import { modelCall } from './modelCall.js';
import { FIRST_MODEL_INLINE, hasChange } from './patches.js';

export interface ChainInput {
  request: LlmRequest;
  rendered: RenderedPrompt;
  plan: RoutePlan;
  deadlineAt: number;
  /** Grows as models are tried; shared with the request's status query. */
  attempts: Attempt[];
  onModel: (model: string) => void;
}

/** Whether this model runs in the request's own history rather than as a child. */
function runsInline(mode: RoutePlan['modelCalls'], index: number): boolean {
  if (mode === 'inline') return true;
  if (mode === 'every-child' || index > 0) return false;
  // `child` or absent (plans recorded before modes existed): the fast path, unless replaying a run
  // recorded before it.
  return hasChange(FIRST_MODEL_INLINE);
}

export type ChainOutcome = { answer: ModelCallResult } | { answer?: undefined; failures: string[] };

export async function walkChain({
  request,
  rendered,
  plan,
  deadlineAt,
  attempts,
  onModel,
}: ChainInput): Promise<ChainOutcome> {
  const { workflowId } = workflowInfo();
  const schema = request.schema ?? rendered.schema;
  const outputFormat = request.outputFormat ?? rendered.outputFormat ?? (schema ? 'json' : 'text');
  // After a context-length error only models with a larger window can help.
  let windowTooSmall = 0;
  const failures: string[] = [];
  for (const [index, planned] of plan.models.entries()) {
    if (planned.model.contextWindow <= windowTooSmall) {
      attempts.push(
        skippedAttempt(
          planned.model.id,
          planned.model.provider,
          `window ${planned.model.contextWindow} is not larger than one that was already too small`,
        ),
      );
      continue;
    }
    onModel(planned.model.id);
    const callId = `${workflowId}/${index + 1}-${planned.model.id}`;
    const input: ModelCallInput = {
      ...pickDefined(request, MODEL_CALL_REQUEST_FIELDS),
      callId,
      planned,
      messages: rendered.messages,
      outputFormat,
      allowRegexFallback: request.allowRegexFallback ?? false,
      maxOutputTokens: plan.maxOutputTokens,
      tokenBudget: plan.tokenBudget,
      retry: plan.retry,
      maxRepairs: plan.maxRepairs,
      deadlineAt,
      ...(schema ? { schema } : {}),
    };
    try {
      // Inline runs the very same steps in this history; a child gives the model its own workflow.
      const answer = runsInline(plan.modelCalls, index)
        ? await modelCall(input)
        : await executeChild(modelCall, {
            workflowId: callId,
            staticSummary: `${planned.model.id} (${planned.model.provider}, ${planned.role})`,
            args: [input],
          });
      attempts.push(...answer.attempts);
      return { answer };
    } catch (error) {
      if (isCancellation(error)) throw error;
      const root = rootFailure(error);
      const details = root?.details?.[0] as ModelCallFailureDetails | undefined;
      attempts.push(...(details?.attempts ?? []));
      failures.push(`${planned.model.id}: ${root?.type ?? 'Error'}: ${root?.message ?? String(error)}`);
      if (root?.type === ContextLengthExceededError.type) windowTooSmall = planned.model.contextWindow;
    }
  }
  return { failures };
}
