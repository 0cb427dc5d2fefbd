// modelCall: one model of a request's fallback chain, as a child workflow so the UI shows each model
// tried. The provider activity's retry policy does rate-limit and transient back-off on this model;
// an answer that fails validation is sent back to the same model with the errors, a bounded number
// of times. Any failure leaves with every try listed, for the parent to report.
import { type ActivityOptions, ApplicationFailure, RetryState } from '@temporalio/common';
import {
  ActivityFailure,
  executeChild,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { AnswerCheck, InvokeProviderInput, InvokeProviderResult } from '../activities/invoke.js';
import {
  answeredAttempt,
  type FailedTry,
  failedTryAttempts,
  type LostCall,
  lostCallAttempts,
  rejectedAttempt,
} from '../common/attempts.js';
import {
  InvalidResponseError,
  LOCAL_RATE_LIMIT_ERROR,
  MaxRetriesExceededError,
  NON_RETRYABLE_PROVIDER_ERRORS,
  ProviderTimeoutError,
  rootFailure,
} from '../common/errors.js';
import { messageText } from '../common/messages.js';
import { pickDefined } from '../common/pick.js';
import { DEFAULT_HEARTBEAT_TIMEOUT_MS } from '../common/plan.js';
import {
  type Attempt,
  type ChatMessage,
  type ContextItem,
  isFinishReason,
  type ToolCall,
} from '../common/request.js';
import { addUsage, sumUsd, ZERO_USAGE } from '../common/usage.js';
import { checkWorkflowInput } from '../common/workflowInput.js';
import type { ModelCallFailureDetails, ModelCallInput, ModelCallResult } from './definitions.js';
import { FOLDED_REQUEST_STEPS, hasChange, RATE_LIMIT_WAITS } from './patches.js';
import { summarizeContext } from './summarizeContext.js';

const LOCAL_OPTIONS = { startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 3 } } as const;
const { prepareMessages, validateResponse } = proxyLocalActivities<Activities>(LOCAL_OPTIONS);

function failWith(
  input: ModelCallInput,
  type: string,
  message: string,
  attempts: Attempt[],
  cause?: Error,
): ApplicationFailure {
  const details: ModelCallFailureDetails = { model: input.planned.model.id, attempts };
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    details: [details],
    ...(cause ? { cause } : {}),
  });
}

// Every call passes its own options (callOptions): this timeout is only the proxy's required default.
const { invokeProvider } = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes' });

/** What the provider call takes from this call's input as it is. */
const PROVIDER_CALL_FIELDS = [
  'requestId',
  'taskType',
  'caller',
  'maxOutputTokens',
  'retry',
  'params',
  'stream',
  'tools',
  'toolChoice',
  'parallelToolCalls',
] as const satisfies readonly (keyof ModelCallInput & keyof InvokeProviderInput)[];

/** How a model's answers are checked: the request's output format, schema and tools. */
export function answerCheck(
  asked: Pick<
    ModelCallInput,
    'taskType' | 'outputFormat' | 'allowRegexFallback' | 'schema' | 'tools' | 'toolChoice'
  >,
): AnswerCheck {
  return {
    taskType: asked.taskType,
    outputFormat: asked.outputFormat,
    allowRegexFallback: asked.allowRegexFallback,
    ...(asked.schema ? { schema: asked.schema } : {}),
    ...(asked.tools?.length
      ? { tools: asked.tools, ...(asked.toolChoice ? { toolChoice: asked.toolChoice } : {}) }
      : {}),
  };
}

/** Smallest room worth a summary of dropped context: below it the summary says too little. */
const MIN_SUMMARY_TOKENS = 64;

/**
 * Prunes the request's context to this model's window and appends what is kept. When the request
 * asks, the dropped items are summarised by a cheaper model (a child workflow) into one pinned item
 * sized to the room left, instead of being lost.
 */
async function fitContext(input: ModelCallInput, messages: ChatMessage[]): Promise<ChatMessage[]> {
  const context = input.context ?? [];
  const prepare = (items: ContextItem[]) =>
    prepareMessages({
      messages,
      context: items,
      model: input.planned.model,
      maxOutputTokens: input.maxOutputTokens,
      tokenBudget: input.tokenBudget,
      ...(input.pruning ? { pruning: input.pruning } : {}),
    });
  let prepared = await prepare(context);
  const wanted = input.pruning?.summarizeDropped;
  if (wanted && prepared.dropped.length > 0 && prepared.roomLeftTokens >= MIN_SUMMARY_TOKENS) {
    const chosen = typeof wanted === 'object' ? wanted : {};
    const dropped = new Set(prepared.dropped.map((d) => d.id));
    const kept = new Set(prepared.keptIds);
    const asked = input.messages.findLast((m) => m.role === 'user');
    const question = asked ? messageText(asked).slice(0, 1000) : undefined;
    const summary = await executeChild(summarizeContext, {
      workflowId: `${input.callId ?? workflowInfo().workflowId}/summary`,
      staticSummary: `summarise ${prepared.dropped.length} dropped context items`,
      args: [
        {
          items: context.filter((item) => dropped.has(item.id)),
          ...(question ? { focus: question } : {}),
          summary: {
            ...chosen,
            maxOutputTokens: Math.min(chosen.maxOutputTokens ?? 400, prepared.roomLeftTokens - 16),
          },
          id: 'summary-of-dropped-context',
        },
      ],
    });
    prepared = await prepare([...context.filter((item) => kept.has(item.id)), { ...summary, pinned: true }]);
  }
  return prepared.messages;
}

/** How one model's provider calls are scheduled: its queue, the request's deadline, its retry policy. */
function callOptions(input: ModelCallInput, summary: string): ActivityOptions {
  // One deadline for the whole chain: retries of this model (and waits before them) never outlive it.
  const remainingMs = Math.max(1000, input.deadlineAt - Date.now());
  return {
    ...(input.planned.activityTaskQueue ? { taskQueue: input.planned.activityTaskQueue } : {}),
    scheduleToCloseTimeout: remainingMs,
    startToCloseTimeout: Math.min(remainingMs, 10 * 60_000),
    heartbeatTimeout: input.retry.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
    retry: {
      maximumAttempts: input.retry.maxAttempts,
      initialInterval: input.retry.initialIntervalMs,
      backoffCoefficient: input.retry.backoffCoefficient,
      maximumInterval: input.retry.maxIntervalMs,
      // Our own rate limit is waited out here, on a timer, not with the call's retry attempts.
      nonRetryableErrorTypes: [...NON_RETRYABLE_PROVIDER_ERRORS, LOCAL_RATE_LIMIT_ERROR],
    },
    // The summary names the model in the UI's timeline, where activity types alone all read alike.
    summary,
  };
}

/** The wait our own rate limit asked for, when that is why the call failed. */
function rateLimitWaitMs(root: ApplicationFailure | undefined): number | undefined {
  if (root?.type !== LOCAL_RATE_LIMIT_ERROR) return undefined;
  const wait = (root.details?.[0] as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof wait === 'number' ? Math.max(1, wait) : undefined;
}

/** A provider call that failed for good, as this model's failure with every try listed. */
function callFailure(
  input: ModelCallInput,
  error: unknown,
  root: ApplicationFailure | undefined,
  attempts: Attempt[],
): ApplicationFailure {
  const { model } = input.planned;
  if (error instanceof ActivityFailure && error.retryState === RetryState.MAXIMUM_ATTEMPTS_REACHED) {
    return failWith(
      input,
      MaxRetriesExceededError.type,
      `${model.id} failed ${attempts.length} times; last error ${root?.type}: ${root?.message}`,
      attempts,
      error,
    );
  }
  if (error instanceof ActivityFailure && error.retryState === RetryState.TIMEOUT) {
    return failWith(
      input,
      ProviderTimeoutError.type,
      `${model.id}: the request's deadline passed while retrying`,
      attempts,
      error,
    );
  }
  return failWith(
    input,
    root?.type ?? 'ProviderError',
    root?.message ?? String(error),
    attempts,
    error as Error,
  );
}

/** validateResponse as a step of its own: answers whose provider call did not check them. */
function checkAnswer(check: AnswerCheck, model: string, text: string, toolCalls: ToolCall[]) {
  // The UI's timeline names the tools the model called on the step that checks them.
  const options = toolCalls.length
    ? { ...LOCAL_OPTIONS, summary: `${model} called ${toolCalls.map((c) => c.name).join(', ')}` }
    : LOCAL_OPTIONS;
  return validateResponse.executeWithOptions(options, [
    { ...check, model, text, ...(check.tools ? { toolCalls } : {}) },
  ]);
}

export async function modelCall(input: ModelCallInput): Promise<ModelCallResult> {
  checkWorkflowInput('modelCall', input);
  const { model } = input.planned;

  let messages: ChatMessage[] = input.messages;
  if (input.context?.length) messages = await fitContext(input, messages);

  const attempts: Attempt[] = [];
  let usage = ZERO_USAGE;
  let costUsd = 0;
  const check = answerCheck(input);
  // Runs recorded before the check moved into the provider call validate in a step of their own.
  const checkInCall = hasChange(FOLDED_REQUEST_STEPS);
  const wantsJson = input.outputFormat === 'json' || input.schema !== undefined;
  for (let repair = 0; ; repair++) {
    const summary = `${model.id} (${model.provider})${repair > 0 ? `, repair ${repair}` : ''}`;
    let call: InvokeProviderResult | undefined;
    while (!call) {
      try {
        call = await invokeProvider.executeWithOptions(callOptions(input, summary), [
          {
            ...pickDefined(input, PROVIDER_CALL_FIELDS),
            model,
            messages,
            promptTokens: input.planned.promptTokens,
            // The same place in the rate limiter's queue across the calls of this try.
            rateLimitHolder: `${input.callId ?? workflowInfo().workflowId}/${repair}`,
            ...(input.schema && model.structuredOutput
              ? { structuredOutput: { name: 'answer', schema: input.schema } }
              : {}),
            ...(checkInCall ? { check } : {}),
          },
        ]);
      } catch (error) {
        if (isCancellation(error)) throw error;
        const root = rootFailure(error);
        const details = (root?.details?.[0] ?? {}) as { failedTries?: FailedTry[]; lostCalls?: LostCall[] };
        attempts.push(...failedTryAttempts(model, details.failedTries ?? [], repair > 0));
        attempts.push(...lostCallAttempts(model, details.lostCalls ?? [], repair > 0));
        const waitMs = rateLimitWaitMs(root);
        // Runs recorded before rate-limit waits moved here failed at this point; they replay so.
        if (waitMs !== undefined && Date.now() + waitMs < input.deadlineAt && hasChange(RATE_LIMIT_WAITS)) {
          await sleep(waitMs);
          continue;
        }
        throw callFailure(input, error, root, attempts);
      }
    }

    attempts.push(...failedTryAttempts(model, call.earlierTries, repair > 0));
    // Calls billed by the provider whose attempts were lost with their worker count too.
    const lost = call.lostCalls ?? [];
    attempts.push(...lostCallAttempts(model, lost, repair > 0));
    for (const billed of [...lost, call]) {
      usage = addUsage(usage, billed.usage);
      costUsd = sumUsd([costUsd, billed.costUsd]);
    }
    const succeeded = answeredAttempt(model, call, repair > 0);
    // Answers recorded before tool calls existed carry none.
    const toolCalls = call.toolCalls ?? [];
    const validation = call.validation ?? (await checkAnswer(check, model.id, call.text, toolCalls));
    if (validation.ok) {
      attempts.push(succeeded);
      return {
        model: model.id,
        provider: model.provider,
        text: call.text,
        output: validation.output,
        ...(toolCalls.length ? { toolCalls } : {}),
        ...(isFinishReason(call.finishReason) ? { finishReason: call.finishReason } : {}),
        regexFallback: validation.regexFallback,
        usage,
        costUsd,
        attempts,
      };
    }
    // The provider answered but the answer is not usable: that try counts as failed for validation.
    attempts.push(rejectedAttempt(succeeded, InvalidResponseError.type, validation.errors));
    if (repair >= input.maxRepairs) {
      throw failWith(
        input,
        InvalidResponseError.type,
        `${model.id} answered ${repair + 1} times without ${validation.repairMessages ? 'valid tool calls' : `a valid ${wantsJson ? 'JSON' : input.outputFormat} answer`}: ${validation.errors.join('; ')}`,
        attempts,
      );
    }
    messages = [
      ...messages,
      ...(validation.repairMessages ?? [
        { role: 'assistant', content: call.text },
        { role: 'user', content: validation.repairPrompt },
      ]),
    ];
  }
}
