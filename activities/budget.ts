// admitRequest / settleRequest / releaseRequest: budgets as activities. The workflow admits after
// planRoute and before the first model call (a refusal is a BudgetExceededError, not retryable), and
// settles with the request's real cost when it ends, or releases when it is cancelled. All three are
// idempotent per request id, so Temporal's retries are safe.
import type { RoutePlan } from '../common/plan.js';
import type { Admission, Settlement, SpendBudgets } from '../core/budget/spendBudgets.js';
import { checkTokenBudget } from '../core/budget/tokenBudget.js';

export interface BudgetActivityDeps {
  budgets: SpendBudgets;
}

export interface AdmitRequestInput {
  requestId: string;
  caller?: string;
  plan: Pick<RoutePlan, 'taskType' | 'models' | 'maxOutputTokens' | 'tokenBudget'>;
  /** How long the reservation holds if the request never settles; default from config/budgets.yaml. */
  ttlSeconds?: number;
}

export interface SettleRequestInput {
  requestId: string;
  /** What the request really cost: the sum of its provider calls' costUsd. */
  costUsd: number;
}

export interface BudgetActivities {
  admitRequest(input: AdmitRequestInput): Promise<Admission>;
  settleRequest(input: SettleRequestInput): Promise<Settlement>;
  releaseRequest(input: { requestId: string }): Promise<Settlement>;
}

export function createBudgetActivities(deps: BudgetActivityDeps): BudgetActivities {
  return {
    async admitRequest({ requestId, caller, plan, ttlSeconds }) {
      if (plan.models.length > 0) {
        // Tokenizers differ a little; refuse only when no planned model's count fits.
        checkTokenBudget({
          taskType: plan.taskType,
          tokenBudget: plan.tokenBudget,
          inputTokens: Math.min(...plan.models.map((m) => m.promptTokens)),
          maxOutputTokens: plan.maxOutputTokens,
        });
      }
      // The worst single call of the plan: prompt at its model's price plus output at its cap.
      const maxCostUsd = Math.max(0, ...plan.models.map((m) => m.estimatedCostUsd));
      return deps.budgets.admit({
        requestId,
        maxCostUsd,
        ...(caller !== undefined ? { caller } : {}),
        ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
      });
    },
    settleRequest: ({ requestId, costUsd }) => deps.budgets.settle(requestId, costUsd),
    releaseRequest: ({ requestId }) => deps.budgets.release(requestId),
  };
}
