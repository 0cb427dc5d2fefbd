// prepareMessages: fits a request's context items into one model's window (each model of the chain
// has its own window, so this runs per model) and appends the kept ones to the prompt. The result
// says what was dropped and how many tokens that saved, so it reads well in history.
import type { ModelSpec } from '../common/catalog.js';
import type { ChatMessage, ContextItem, LlmRequest } from '../common/request.js';
import { computeBudget } from '../core/context/budget.js';
import { type DroppedItem, pruneContext } from '../core/context/pruning.js';
import { appendContext } from '../core/context/render.js';
import { counterForModel } from '../core/context/tokens.js';

export interface PrepareMessagesInput {
  messages: ChatMessage[];
  context: ContextItem[];
  model: ModelSpec;
  maxOutputTokens: number;
  tokenBudget: number;
  pruning?: LlmRequest['pruning'];
}

export interface PrepareMessagesResult {
  messages: ChatMessage[];
  strategy: string;
  budgetTokens: number;
  keptIds: string[];
  dropped: DroppedItem[];
  tokensSaved: number;
  overBudget: boolean;
  /** Tokens of the item budget still unused: room for a summary of what was dropped. */
  roomLeftTokens: number;
}

export async function prepareMessages(input: PrepareMessagesInput): Promise<PrepareMessagesResult> {
  const counter = counterForModel(input.model);
  const maxOutputTokens = Math.min(input.maxOutputTokens, input.model.maxOutputTokens);
  const budgetTokens = computeBudget({
    contextWindow: input.model.contextWindow,
    maxOutputTokens,
    // The task budget covers input and output; pruning needs the input part.
    taskTokenBudget: Math.max(0, input.tokenBudget - maxOutputTokens),
  });
  const strategy = input.pruning?.strategy ?? 'hybrid';
  const result = pruneContext({
    items: input.context,
    budgetTokens,
    strategy,
    counter,
    fixedMessages: input.messages,
    ...(input.pruning?.relevanceWeight !== undefined || input.pruning?.recencyWeight !== undefined
      ? {
          weights: {
            ...(input.pruning.relevanceWeight !== undefined
              ? { relevance: input.pruning.relevanceWeight }
              : {}),
            ...(input.pruning.recencyWeight !== undefined ? { recency: input.pruning.recencyWeight } : {}),
          },
        }
      : {}),
  });
  return {
    messages: appendContext(input.messages, result.kept),
    strategy,
    budgetTokens,
    keptIds: result.kept.map((item) => item.id),
    dropped: result.dropped,
    tokensSaved: result.droppedTokens,
    overBudget: result.overBudget,
    roomLeftTokens: Math.max(0, result.budgetForItems - result.keptTokens),
  };
}
