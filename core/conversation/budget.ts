// How many prompt tokens a conversation turn or a summary request may use: for each model the
// request may be sent to, its window (or the task's token budget) less the reserved answer, times
// the share the caller keeps for the prompt. The smallest of them is what a prompt must fit.

import type { ModelSpec } from '../../common/catalog.js';
import { InvalidRequestError, UnknownModelError } from '../../common/errors.js';
import { routeFor } from '../../config/load.js';
import { computeBudget } from '../context/budget.js';
import { counterForModel, type TokenCounter } from '../context/tokens.js';
import type { ConversationDeps } from './deps.js';

export interface ModelTarget {
  taskType: string;
  model?: string;
  fallbackModels?: string[];
  /** Tokens reserved for the answer; the route's default when absent. */
  maxOutputTokens?: number;
  /** Share of the input budget the prompt may fill (0, 1]. */
  windowShare: number;
}

export interface PromptBudget {
  model: ModelSpec;
  counter: TokenCounter;
  /** Most prompt tokens, counted with `counter`, a request to this model may carry. */
  limit: number;
}

/**
 * The models a request will most likely be sent to: the ones it names, else the route's preferred
 * models (else the catalog's default). A fallback the router reaches later with a smaller window
 * answers context_length_exceeded and the request moves on, as for any request.
 */
function candidateIds(deps: ConversationDeps, target: ModelTarget): string[] {
  if (target.model) return [target.model, ...(target.fallbackModels ?? [])];
  const route = routeFor(deps.routing(), target.taskType);
  return route.preferredModels.length ? route.preferredModels : [deps.catalog().defaultModel];
}

export function promptBudgets(deps: ConversationDeps, target: ModelTarget): PromptBudget[] {
  if (!(target.windowShare > 0 && target.windowShare <= 1)) {
    throw new InvalidRequestError(`windowShare must be in (0, 1], got ${target.windowShare}`);
  }
  const catalog = deps.catalog();
  const route = routeFor(deps.routing(), target.taskType);
  return [...new Set(candidateIds(deps, target))].map((id) => {
    const model = catalog.models[id];
    if (!model) {
      throw new UnknownModelError(
        `unknown model "${id}": known models are ${Object.keys(catalog.models).join(', ')} (config/models.yaml)`,
        { details: { model: id, knownModels: Object.keys(catalog.models) } },
      );
    }
    const reserved = Math.min(target.maxOutputTokens ?? route.defaultMaxOutputTokens, model.maxOutputTokens);
    const input = computeBudget({
      contextWindow: model.contextWindow,
      maxOutputTokens: reserved,
      taskTokenBudget: Math.max(0, route.tokenBudget - reserved),
    });
    return { model, counter: counterForModel(model), limit: Math.floor(input * target.windowShare) };
  });
}
