// Which budget windows a request counts against, at a given time: its caller's day and month, and
// everyone's day and month, as far as the config limits them. Periods are UTC.
import { usdToUnits } from './money.js';
import type { BudgetConfig, BudgetWindow, SpendLimit } from './types.js';

const DAY_MS = 86_400_000;

export const ANONYMOUS_CALLER = 'anonymous';

export function limitFor(config: BudgetConfig, caller: string): SpendLimit | undefined {
  return config.callers[caller] ?? config.defaultCaller;
}

export function budgetWindows(config: BudgetConfig, caller: string | undefined, now: number): BudgetWindow[] {
  const date = new Date(now);
  const day = date.toISOString().slice(0, 10);
  const month = day.slice(0, 7);
  const endOfDay = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
  const endOfMonth = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  const windows: BudgetWindow[] = [];
  const add = (scope: string, limit: SpendLimit | undefined): void => {
    if (limit?.dailyUsd !== undefined) {
      windows.push({
        budget: `${scope}:daily`,
        period: day,
        limitUnits: usdToUnits(limit.dailyUsd),
        keepUntil: endOfDay + 40 * DAY_MS,
      });
    }
    if (limit?.monthlyUsd !== undefined) {
      windows.push({
        budget: `${scope}:monthly`,
        period: month,
        limitUnits: usdToUnits(limit.monthlyUsd),
        keepUntil: endOfMonth + 400 * DAY_MS,
      });
    }
  };
  const who = caller ?? ANONYMOUS_CALLER;
  add(`caller:${who}`, limitFor(config, who));
  add('global', config.global);
  return windows;
}
