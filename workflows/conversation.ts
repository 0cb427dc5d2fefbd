// conversation: a multi-turn session as one long-lived workflow. A turn is the `sendMessage`
// update; it runs as a child llmRequest (`<conversation id>/turn-<n>`), so each turn has its own
// history with its retries and fallbacks. Before a turn, the oldest turns that no longer fit the
// model's window are folded into a running summary by a cheaper model (child llmRequests
// `<conversation id>/summary-<k>` with the `summarize_context` template). The workflow
// continues-as-new every `maxTurnsPerRun` turns or when Temporal suggests it, carrying the summary,
// the recent turns and the counters, so its history stays small however long the conversation.
import { ApplicationFailure } from '@temporalio/common';
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  log,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ConversationActivities } from '../activities/conversation.js';
import {
  CONVERSATION_DEFAULTS,
  type ConversationInput,
  type ConversationState,
  type ConversationTranscript,
  conversationOptionsProblem,
  type SummaryChunk,
  type TurnReply,
  turnAsSummaryItem,
  turnVariables,
} from '../common/conversation.js';
import { InvalidRequestError, rootFailure } from '../common/errors.js';
import type { LlmRequest } from '../common/request.js';
import { addUsage, sumUsd } from '../common/usage.js';
import { checkWorkflowInput } from '../common/workflowInput.js';
import {
  ConversationBusyError,
  ConversationEndedError,
  endConversationUpdate,
  sendMessageUpdate,
  transcriptQuery,
} from './conversationDefinitions.js';
import { summarizeChunks } from './conversationSummary.js';
import { llmRequest } from './llmRequest.js';
import {
  LlmCaller,
  LlmCostUsd,
  LlmStatus,
  LlmTaskType,
  LlmTemplateId,
  LlmTotalTokens,
} from './searchAttributes.js';

const { fitConversation } = proxyLocalActivities<ConversationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: [InvalidRequestError.type] },
});

function newState(): ConversationState {
  return {
    summary: '',
    summarizedTurns: 0,
    droppedTurns: 0,
    turns: [],
    totalTurns: 0,
    summaries: 0,
    run: 1,
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    costUsd: 0,
  };
}

/** A failure the update's caller can read: the typed root failure, not Temporal's wrappers. */
function asUpdateFailure(error: unknown): unknown {
  if (isCancellation(error)) return error;
  return rootFailure(error) ?? ApplicationFailure.nonRetryable(String(error), 'InternalError');
}

export async function conversation(input: ConversationInput): Promise<ConversationTranscript> {
  checkWorkflowInput('conversation', input);
  const { workflowId } = workflowInfo();
  const { state: carried, ...options } = input;
  const problem = conversationOptionsProblem(options);
  if (problem) throw new InvalidRequestError(problem);
  const state = carried ?? newState();
  const maxTurnsPerRun = options.maxTurnsPerRun ?? CONVERSATION_DEFAULTS.maxTurnsPerRun;
  let inFlight = false;
  let ended = false;
  let turnsThisRun = 0;
  /** Turns answered or failed in this run: the idle timer restarts after each. */
  let turnsSettled = 0;

  upsertSearchAttributes([
    { key: LlmTaskType, value: options.taskType ?? CONVERSATION_DEFAULTS.taskType },
    { key: LlmTemplateId, value: options.templateId ?? CONVERSATION_DEFAULTS.templateId },
    { key: LlmStatus, value: 'running' },
    ...(options.caller ? [{ key: LlmCaller, value: options.caller }] : []),
  ]);

  const transcript = (): ConversationTranscript => ({
    conversationId: workflowId,
    totalTurns: state.totalTurns,
    summary: state.summary,
    summarizedTurns: state.summarizedTurns,
    droppedTurns: state.droppedTurns,
    turns: state.turns,
    run: state.run,
    status: ended ? 'ended' : 'active',
    usage: state.usage,
    costUsd: state.costUsd,
  });

  /** Folds the oldest turns into the summary; on a summariser failure they are pruned without one. */
  const fold = async (count: number, chunks: readonly SummaryChunk[]): Promise<void> => {
    const folding = state.turns.slice(0, count);
    const first = state.summaries + 1;
    try {
      const outcome = await summarizeChunks({
        items: folding.map(turnAsSummaryItem),
        chunks,
        previousSummary: state.summary,
        options: options.summary ?? {},
        requestId: (k) => `${workflowId}/summary-${first + k}`,
        ...(options.caller ? { caller: options.caller } : {}),
      });
      state.summary = outcome.summary;
      state.usage = addUsage(state.usage, outcome.usage);
      state.costUsd = sumUsd([state.costUsd, outcome.costUsd]);
    } catch (error) {
      if (isCancellation(error)) throw error;
      // The turn must still fit: prune the turns. Word for word they stay in their turn children.
      state.droppedTurns += count;
      log.warn('summary failed; older turns pruned without a summary', {
        turns: `${folding[0]?.n}-${folding.at(-1)?.n}`,
        error: rootFailure(error)?.message ?? String(error),
      });
    }
    // Numbers are used even when a request failed, so child workflow ids never repeat.
    state.summaries += chunks.length;
    state.turns.splice(0, count);
    state.summarizedTurns += count;
  };

  const runTurn = async (message: string): Promise<TurnReply> => {
    const n = state.totalTurns + 1;
    const requestId = `${workflowId}/turn-${n}`;
    const fit = await fitConversation({
      requestId,
      options,
      summary: state.summary,
      summarizedTurns: state.summarizedTurns,
      turns: state.turns.map(({ n, user, assistant }) => ({ n, user, assistant })),
      message,
    });
    if (fit.fold > 0) await fold(fit.fold, fit.chunks);

    const request: LlmRequest = {
      requestId,
      taskType: options.taskType ?? CONVERSATION_DEFAULTS.taskType,
      templateId: options.templateId ?? CONVERSATION_DEFAULTS.templateId,
      variables: turnVariables({
        message,
        summary: state.summary,
        summarizedTurns: state.summarizedTurns,
        turns: state.turns,
        ...(options.instructions ? { instructions: options.instructions } : {}),
      }),
      ...(options.templateVersion ? { templateVersion: options.templateVersion } : {}),
      ...(options.model ? { model: options.model } : {}),
      ...(options.fallbackModels?.length ? { fallbackModels: options.fallbackModels } : {}),
      ...(options.params ? { params: options.params } : {}),
      ...(options.caller ? { caller: options.caller } : {}),
      ...(options.turnDeadlineSeconds ? { deadlineSeconds: options.turnDeadlineSeconds } : {}),
    };
    const result = await executeChild(llmRequest, { workflowId: requestId, args: [request] });
    const reply = result.text;
    state.turns.push({
      n,
      user: message,
      assistant: reply,
      model: result.model,
      usage: result.usage,
      costUsd: result.costUsd,
      at: new Date().toISOString(),
    });
    state.totalTurns = n;
    state.usage = addUsage(state.usage, result.usage);
    state.costUsd = sumUsd([state.costUsd, result.costUsd]);
    turnsThisRun++;
    return {
      turn: n,
      reply,
      model: result.model,
      requestId,
      usage: result.usage,
      costUsd: result.costUsd,
      foldedTurns: fit.fold,
    };
  };

  setHandler(transcriptQuery, transcript);
  setHandler(
    sendMessageUpdate,
    async ({ text }) => {
      inFlight = true;
      try {
        return await runTurn(text);
      } catch (error) {
        throw asUpdateFailure(error);
      } finally {
        inFlight = false;
        turnsSettled++;
      }
    },
    {
      // One turn at a time: a turn's prompt must hold the previous reply, so a message that arrives
      // while one is being answered is refused (refusals are not written to history) and the
      // client sends it again after the reply.
      validator: (input) => {
        if (ended) throw new ConversationEndedError(`conversation ${workflowId} has ended`);
        if (typeof input?.text !== 'string' || input.text.trim() === '')
          throw new InvalidRequestError('a message must be non-empty text');
        if (inFlight)
          throw new ConversationBusyError(
            `conversation ${workflowId} is still answering turn ${state.totalTurns + 1}; send the next message after its reply`,
          );
      },
    },
  );
  setHandler(
    endConversationUpdate,
    async () => {
      ended = true;
      await condition(() => !inFlight);
      return transcript();
    },
    {
      validator: () => {
        if (ended) throw new ConversationEndedError(`conversation ${workflowId} has already ended`);
      },
    },
  );

  const idleMs = options.idleTimeoutSeconds ? options.idleTimeoutSeconds * 1000 : undefined;
  const dueForContinueAsNew = (): boolean =>
    !inFlight && (turnsThisRun >= maxTurnsPerRun || workflowInfo().continueAsNewSuggested);
  for (;;) {
    const seen = turnsSettled;
    const wake = (): boolean => ended || dueForContinueAsNew();
    let woke = true;
    if (idleMs === undefined) await condition(wake);
    else woke = await condition(() => wake() || turnsSettled !== seen, idleMs);
    if (!woke && !inFlight) {
      log.info('conversation idle; ending', { idleTimeoutSeconds: options.idleTimeoutSeconds });
      ended = true;
    }
    if (!ended && !dueForContinueAsNew()) continue;
    // Every accepted turn must be answered before this run closes, or its caller would never hear back.
    await condition(allHandlersFinished);
    upsertSearchAttributes([
      { key: LlmTotalTokens, value: state.usage.totalTokens },
      { key: LlmCostUsd, value: state.costUsd },
      ...(ended ? [{ key: LlmStatus, value: 'completed' }] : []),
    ]);
    if (ended) return transcript();
    await continueAsNew<typeof conversation>({ ...options, state: { ...state, run: state.run + 1 } });
  }
}
