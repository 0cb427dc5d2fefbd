// How many input tokens a request may use on a given model.
import { ConfigError } from '../../common/errors.js';

export interface BudgetInput {
  /** The model's context window (input and output share it). */
  contextWindow: number;
  /** Tokens reserved for the answer. */
  maxOutputTokens: number;
  /**
   * The task type's cap on *input* tokens (a cost control), applied when smaller than what the
   * window leaves. `TaskRoute.tokenBudget` counts input and output: pass it minus the reserved output.
   */
  taskTokenBudget?: number;
}

function requireCount(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigError(`${name} must be a finite number >= 0, got ${value}`);
  }
}

/**
 * Input tokens available: the context window minus the reserved output, or the task's input budget
 * when that is smaller. Never negative: a window too small for the reserved output gives 0, and
 * pruning then reports `overBudget`.
 */
export function computeBudget({ contextWindow, maxOutputTokens, taskTokenBudget }: BudgetInput): number {
  requireCount('contextWindow', contextWindow);
  requireCount('maxOutputTokens', maxOutputTokens);
  if (taskTokenBudget !== undefined) requireCount('taskTokenBudget', taskTokenBudget);
  const windowBudget = contextWindow - maxOutputTokens;
  const budget = taskTokenBudget === undefined ? windowBudget : Math.min(windowBudget, taskTokenBudget);
  return Math.max(0, Math.floor(budget));
}
