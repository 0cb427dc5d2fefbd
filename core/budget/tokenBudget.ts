// The per-request token budget of a task type (`TaskRoute.tokenBudget`): prompt tokens plus the
// output reserved must fit, or the request is refused before any provider call.
import { BudgetExceededError } from '../../common/errors.js';

export interface TokenBudgetCheck {
  taskType: string;
  tokenBudget: number;
  /** Prompt tokens that always go (messages and pinned context; other context is pruned to fit). */
  inputTokens: number;
  maxOutputTokens: number;
}

export function checkTokenBudget(check: TokenBudgetCheck): void {
  const needed = check.inputTokens + check.maxOutputTokens;
  if (needed <= check.tokenBudget) return;
  const left = Math.max(0, check.tokenBudget - check.inputTokens);
  throw new BudgetExceededError(
    `task type ${check.taskType} allows ${check.tokenBudget} tokens per request (input + output); this ` +
      `request needs ${check.inputTokens} input + ${check.maxOutputTokens} output = ${needed}, which ` +
      `leaves ${left} for output: lower params.maxOutputTokens or shorten the prompt (config/routing.yaml)`,
    {
      details: {
        budget: `task:${check.taskType}:tokens-per-request`,
        limitTokens: check.tokenBudget,
        inputTokens: check.inputTokens,
        maxOutputTokens: check.maxOutputTokens,
        leftTokens: left,
      },
    },
  );
}
