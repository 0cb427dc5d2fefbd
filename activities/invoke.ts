// invokeProvider: one call to one model. Temporal's retry policy retries it; this activity decides
// how long to wait (the provider's retry-after, else exponential back-off with jitter) and keeps a log
// of its earlier failed tries in its heartbeat details, so the request's result lists every try. A
// retry also asks the usage ledger for earlier attempts that were answered and billed but lost with
// their worker, and reports them, so the request's cost is what the provider billed.
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { FailedTry, LostCall } from '../common/attempts.js';
import type { ModelSpec } from '../common/catalog.js';
import { COST_KINDS, costBreakdown, costUsd } from '../common/catalog.js';
import { CircuitOpenError, OrchestratorError, rootFailure } from '../common/errors.js';
import { backoffMs, type ProviderRetry } from '../common/plan.js';
import type {
  ChatMessage,
  GenerationParams,
  JsonSchema,
  ToolChoice,
  ToolDefinition,
} from '../common/request.js';
import { LocalRateLimitError } from '../core/limits/errors.js';
import { slotRequest } from '../core/limits/types.js';
import { RequestLog } from '../core/logging/requestLog.js';
import type { ProviderResponse, ToolCallDelta } from '../core/providers/types.js';
import type { StreamEvent } from '../core/streaming/types.js';
import type { ActivityDeps } from './deps.js';
import { HeartbeatPacer } from './heartbeats.js';
import { enforceRateLimit } from './limits.js';
import { lostCalls, recordCallUsage } from './usage.js';
import type { ValidateResponseInput, ValidateResponseResult } from './validate.js';

/** How the answer is checked (validateResponse's input without the answer itself). */
export type AnswerCheck = Omit<ValidateResponseInput, 'text' | 'toolCalls' | 'model'>;

export interface InvokeProviderInput {
  requestId: string;
  model: ModelSpec;
  messages: ChatMessage[];
  maxOutputTokens: number;
  params?: GenerationParams;
  structuredOutput?: { name: string; schema: JsonSchema };
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  retry: ProviderRetry;
  /** Publish the answer's deltas as they arrive (the request asked to stream). */
  stream?: boolean;
  /** For the usage ledger and the rate limiter. */
  taskType?: string;
  caller?: string;
  promptTokens?: number;
  /** Who waits in the rate limiter's queue: stable across the activities of one try (the workflow's). */
  rateLimitHolder?: string;
  /** Check the answer here and return the verdict with it: one step less for the workflow. */
  check?: AnswerCheck;
}

/** Longest provider message kept per failed try: the failure that carries them must stay small. */
const MAX_TRY_MESSAGE = 300;

export type { FailedTry } from '../common/attempts.js';

export interface InvokeProviderResult extends ProviderResponse {
  model: string;
  provider: string;
  durationMs: number;
  costUsd: number;
  /** Which try of this activity succeeded (1 = first). */
  try: number;
  earlierTries: FailedTry[];
  /**
   * Calls of earlier attempts that the provider answered and billed but whose worker was lost before
   * the activity completed (absent when none): the request adds them to its usage, cost and attempts.
   */
  lostCalls?: LostCall[];
  /** validateResponse's verdict on the answer, when the input asked for a check and it could run. */
  validation?: ValidateResponseResult;
}

interface HeartbeatLog {
  failedTries: FailedTry[];
}

export function createInvokeProvider(
  deps: ActivityDeps,
  log: RequestLog = new RequestLog(),
  validate?: (input: ValidateResponseInput) => Promise<ValidateResponseResult>,
): (input: InvokeProviderInput) => Promise<InvokeProviderResult> {
  const pacer = new HeartbeatPacer({
    minIntervalMs: deps.settings.heartbeatIntervalMs,
    perSecond: deps.settings.heartbeatsPerSecond,
  });
  /**
   * The verdict on an answer, or none when the check itself fails (a schema that does not compile):
   * that must not retry a paid call, so the workflow's own validateResponse step meets it instead.
   */
  async function verdict(input: InvokeProviderInput, response: ProviderResponse) {
    if (!input.check || !validate) return undefined;
    const { check } = input;
    return validate({
      ...check,
      model: input.model.id,
      text: response.text,
      ...(check.tools?.length ? { toolCalls: response.toolCalls ?? [] } : {}),
    }).catch(() => undefined);
  }

  return async function invokeProvider(input: InvokeProviderInput): Promise<InvokeProviderResult> {
    const context = Context.current();
    const controls = deps.costControls;
    const tryNumber = context.info.attempt;
    const earlierTries = (context.info.heartbeatDetails as HeartbeatLog | undefined)?.failedTries ?? [];
    // Our own rate limit, before anything else: a refusal is a LocalRateLimitError carrying the wait
    // (the workflow waits on a timer; no slot sleeps) and the tries so far; it says nothing about the
    // model's health.
    if (controls) {
      const slot = slotRequest(context.info);
      await enforceRateLimit(controls.rateLimiter, {
        model: input.model,
        promptTokens: input.promptTokens ?? 0,
        maxOutputTokens: Math.min(input.maxOutputTokens, input.model.maxOutputTokens),
        ...slot,
        ...(input.rateLimitHolder ? { holder: input.rateLimitHolder } : {}),
      }).catch((error: unknown) => {
        if (!(error instanceof LocalRateLimitError)) throw error;
        throw new LocalRateLimitError(error.message, {
          details: { ...error.errorDetails, failedTries: earlierTries },
        });
      });
    }
    const beat = (): void => context.heartbeat({ failedTries: earlierTries } satisfies HeartbeatLog);
    // A retry carries the failed tries at once, so a worker dying now does not lose them; a first try
    // has nothing to carry and waits for the interval (one RPC less on the hot path).
    if (earlierTries.length > 0) beat();
    const stopHeartbeats = pacer.start(beat, context.info.heartbeatTimeoutMs);
    // An attempt after the first asks the ledger whether an earlier one was billed and then lost.
    const lost =
      controls && tryNumber > 1
        ? await lostCalls(controls.usage, context.info, earlierTries).catch((error: unknown) => {
            context.log.warn('earlier attempts not read from the usage ledger', { error: String(error) });
            return [];
          })
        : [];
    const started = Date.now();
    const publisher = input.stream ? deps.streams : undefined;
    const where = { model: input.model.id, try: tryNumber };
    // Stream events are best effort: a reader that misses some still gets the final result.
    const publish = (event: StreamEvent): void => {
      publisher?.publish(input.requestId, event).catch(() => {});
    };
    try {
      const circuit = await deps.health.state(input.model.id);
      if (circuit.status === 'open') {
        throw new CircuitOpenError(
          `${input.model.id}: circuit open after ${circuit.consecutiveFailures} consecutive failures (${circuit.lastErrorType}); not calling it until the cooldown ends`,
          { details: { model: input.model.id, provider: input.model.provider } },
        );
      }
      const provider = deps.providers.forModel(input.model);
      publish({ type: 'try_started', ...where, provider: input.model.provider });
      log.prompt(input.messages);
      const response = await provider.complete({
        model: input.model,
        messages: input.messages,
        maxOutputTokens: Math.min(input.maxOutputTokens, input.model.maxOutputTokens),
        signal: context.cancellationSignal,
        ...(input.params?.temperature !== undefined ? { temperature: input.params.temperature } : {}),
        ...(input.params?.topP !== undefined ? { topP: input.params.topP } : {}),
        ...(input.params?.stop ? { stop: input.params.stop } : {}),
        ...(input.structuredOutput ? { structuredOutput: input.structuredOutput } : {}),
        ...(input.tools?.length
          ? {
              tools: input.tools,
              ...(input.toolChoice ? { toolChoice: input.toolChoice } : {}),
              ...(input.parallelToolCalls !== undefined
                ? { parallelToolCalls: input.parallelToolCalls }
                : {}),
            }
          : {}),
        ...(publisher
          ? {
              onDelta: (text: string) => publish({ type: 'delta', ...where, text }),
              onToolCallDelta: (delta: ToolCallDelta) =>
                publish({ type: 'tool_call_delta', ...where, ...delta }),
            }
          : {}),
      });
      publish({ type: 'try_succeeded', ...where });
      await deps.health.recordSuccess(input.model.id);
      const cost = costUsd(input.model.pricing, response.usage);
      const units = costBreakdown(input.model.pricing, response.usage);
      const costByKind = Object.fromEntries(
        COST_KINDS.filter((kind) => units[kind] > 0).map((kind) => [kind, units[kind] / 1e8]),
      );
      const { id: model, provider: providerName } = input.model;
      log.response(response.text);
      log.providerTry({
        model,
        provider: providerName,
        try: tryNumber,
        durationMs: Date.now() - started,
        outcome: 'success',
      });
      log.tokenUsage({ model, provider: providerName, usage: response.usage, costUsd: cost });
      log.genAi({
        model: input.model,
        maxOutputTokens: Math.min(input.maxOutputTokens, input.model.maxOutputTokens),
        ...(input.params ? { params: input.params } : {}),
        response,
      });
      if (controls) {
        // Counted once per (workflow, activity, attempt); a failed record must not re-run a paid call.
        await recordCallUsage(controls.usage, context.info, {
          requestId: input.requestId,
          taskType: input.taskType ?? 'unknown',
          model: input.model.id,
          provider: input.model.provider,
          usage: response.usage,
          costUsd: cost,
          costByKind,
          ...(input.caller ? { caller: input.caller } : {}),
        }).catch((error: unknown) => context.log.warn('usage not recorded', { error: String(error) }));
      }
      const validation = await verdict(input, response);
      // Failure drills hold a call here, answered and counted but not yet completed, to kill its worker.
      if (deps.settings.holdAfterAnswerMs)
        await sleep(deps.settings.holdAfterAnswerMs, undefined, { signal: context.cancellationSignal });
      return {
        ...response,
        model: input.model.id,
        provider: input.model.provider,
        durationMs: Date.now() - started,
        costUsd: cost,
        try: tryNumber,
        earlierTries,
        ...(lost.length ? { lostCalls: lost } : {}),
        ...(validation ? { validation } : {}),
      };
    } catch (error) {
      if (context.cancellationSignal.aborted) throw error;
      const failure = rootFailure(error);
      const errorType = failure?.type ?? (error as Error).name ?? 'Error';
      const message = failure?.message ?? (error as Error).message;
      publish({ type: 'try_failed', ...where, errorType, message });
      await deps.health.recordFailure(input.model.id, errorType);
      const details = failure instanceof OrchestratorError ? failure.errorDetails : {};
      const failedTries: FailedTry[] = [
        ...earlierTries,
        {
          try: tryNumber,
          errorType,
          message: message.length > MAX_TRY_MESSAGE ? `${message.slice(0, MAX_TRY_MESSAGE)}…` : message,
          durationMs: Date.now() - started,
          ...(details.status !== undefined ? { status: details.status } : {}),
        },
      ];
      // The next try reads this log from its heartbeat details; the workflow reads it from the
      // failure's details when the tries run out.
      context.heartbeat({ failedTries } satisfies HeartbeatLog);
      const retryable = failure ? !failure.nonRetryable : true;
      log.providerTry({
        model: input.model.id,
        provider: input.model.provider,
        try: tryNumber,
        durationMs: Date.now() - started,
        outcome: 'failed',
        errorType,
        retryable,
        ...(details.status !== undefined ? { status: details.status } : {}),
      });
      const retryFailure = ApplicationFailure.create({
        message,
        type: errorType,
        nonRetryable: !retryable,
        details: [{ ...details, failedTries, ...(lost.length ? { lostCalls: lost } : {}) }],
        // A zero delay would read as "no delay set" and end the retries: wait at least 1 ms.
        ...(retryable
          ? { nextRetryDelay: Math.max(1, details.retryAfterMs ?? backoffMs(input.retry, tryNumber)) }
          : {}),
      });
      // No cause chain and no stack (the type, message and details say it all): the server stores a
      // retried activity's last failure only up to a size limit, and a failure over it is replaced
      // by "Failure exceeds size limit." — losing its type, details and the provider's retry-after.
      retryFailure.stack = `${errorType}: ${retryFailure.message}`;
      throw retryFailure;
    } finally {
      stopHeartbeats();
    }
  };
}
