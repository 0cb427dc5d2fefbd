// fitConversation: decides, before a turn, whether the recent turns still fit the model's window
// next to the summary and the new message, and if not how many of the oldest to fold into the
// summary (and in which chunks the summariser reads them). Counting renders the turn's real
// template with each candidate model's tokenizer, so what is counted is what is sent.

import {
  CONVERSATION_DEFAULTS,
  type ConversationOptions,
  type ConversationTurn,
  type SummaryChunk,
  turnAsSummaryItem,
  turnVariables,
} from '../../common/conversation.js';
import { InvalidRequestError } from '../../common/errors.js';
import type { ChatMessage } from '../../common/request.js';
import { type PromptBudget, promptBudgets } from './budget.js';
import type { ConversationDeps } from './deps.js';
import { planSummaryChunks } from './summaryPlan.js';

export interface FitConversationInput {
  /** The turn's request id (the template picks A/B variants by it). */
  requestId: string;
  options: ConversationOptions;
  summary: string;
  summarizedTurns: number;
  turns: Pick<ConversationTurn, 'n' | 'user' | 'assistant'>[];
  message: string;
}

export interface FitConversationResult {
  /** How many of the oldest turns to fold into the summary before this turn. */
  fold: number;
  /** The folded turns split into summary requests (pieces index into the folded turns). */
  chunks: SummaryChunk[];
  /** This turn's prompt without folding, counted for the most constrained model. */
  promptTokens: number;
  limitTokens: number;
  model: string;
}

/** Folding keeps at most this share of the room for turns, so the summariser runs every few turns, not every turn. */
const FOLD_TO_SHARE = 0.5;
/** Per turn: the blank line between turns, and pieces that merge across the boundary. */
const TURN_SLACK_TOKENS = 2;

export function createFitConversation(
  deps: ConversationDeps,
): (input: FitConversationInput) => Promise<FitConversationResult> {
  return async (input) => fitConversation(deps, input);
}

export function fitConversation(deps: ConversationDeps, input: FitConversationInput): FitConversationResult {
  const { options } = input;
  const windowShare = options.windowShare ?? CONVERSATION_DEFAULTS.windowShare;
  const maxRecentTurns = options.maxRecentTurns ?? CONVERSATION_DEFAULTS.maxRecentTurns;
  const summaryMaxTokens = options.summary?.maxOutputTokens ?? CONVERSATION_DEFAULTS.summaryMaxOutputTokens;
  const budgets = promptBudgets(deps, {
    taskType: options.taskType ?? CONVERSATION_DEFAULTS.taskType,
    windowShare,
    ...(options.model ? { model: options.model } : {}),
    ...(options.fallbackModels ? { fallbackModels: options.fallbackModels } : {}),
    ...(options.params?.maxOutputTokens ? { maxOutputTokens: options.params.maxOutputTokens } : {}),
  });
  const render = (turns: FitConversationInput['turns'], summary: string): ChatMessage[] =>
    deps.templates.render({
      requestId: input.requestId,
      templateId: options.templateId ?? CONVERSATION_DEFAULTS.templateId,
      variables: turnVariables({
        message: input.message,
        summary,
        summarizedTurns: input.summarizedTurns,
        turns,
        ...(options.instructions ? { instructions: options.instructions } : {}),
      }),
      ...(options.templateVersion ? { templateVersion: options.templateVersion } : {}),
    }).messages;

  const full = render(input.turns, input.summary);
  const withoutTurns = render([], '');
  const summaryOnly = render([], input.summary || 'x');
  const perTurn = input.turns.map((turn) => render([turn], ''));

  const foldFor = (budget: PromptBudget): number => {
    const count = (messages: ChatMessage[]): number => budget.counter.countMessages(messages);
    const tooManyTurns = input.turns.length >= maxRecentTurns;
    if (count(full) <= budget.limit && !tooManyTurns) return 0;
    const base = count(withoutTurns);
    // The summary after a fold: the current one or a new one of up to summaryMaxTokens, with its header.
    const summaryReserve = Math.max(
      count(summaryOnly) - base,
      summaryMaxTokens + (count(render([], 'x')) - base),
    );
    const room = budget.limit - base - summaryReserve;
    if (room < 0) {
      throw new InvalidRequestError(
        `the message is too long for this conversation: with the instructions and a summary of up to ` +
          `${summaryMaxTokens} tokens its prompt needs ${base + summaryReserve} tokens, and ${budget.model.id} ` +
          `allows ${budget.limit}; shorten the message or use a model with a larger window`,
        {
          details: { model: budget.model.id, promptTokens: base + summaryReserve, limitTokens: budget.limit },
        },
      );
    }
    const keepRoom = Math.floor(room * FOLD_TO_SHARE);
    const keepTurns = Math.max(1, Math.floor(maxRecentTurns / 2));
    let kept = 0;
    let used = 0;
    for (let i = perTurn.length - 1; i >= 0 && kept < keepTurns; i--) {
      const tokens = count(perTurn[i] ?? []) - base + TURN_SLACK_TOKENS;
      if (used + tokens > keepRoom) break;
      used += tokens;
      kept++;
    }
    return Math.max(1, input.turns.length - kept);
  };

  const folds = budgets.map(foldFor);
  const fold = Math.min(input.turns.length, Math.max(...folds));
  const tightest = budgets.reduce(
    (best, b, i) => (b.limit < (budgets[best]?.limit ?? Infinity) ? i : best),
    0,
  );
  const budget = budgets[tightest];
  const chunks =
    fold > 0
      ? planSummaryChunks(deps, {
          requestId: `${input.requestId}/summary`,
          items: input.turns.slice(0, fold).map(turnAsSummaryItem),
          previousSummary: input.summary,
          options: options.summary ?? {},
          windowShare,
        }).chunks
      : [];
  return {
    fold,
    chunks,
    promptTokens: budget ? budget.counter.countMessages(full) : 0,
    limitTokens: budget?.limit ?? 0,
    model: budget?.model.id ?? '',
  };
}
