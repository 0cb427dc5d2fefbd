export { DEFAULT_RESERVATION_TTL_SECONDS, loadBudgetConfig } from './config.js';
export { InProcessReservationStore } from './memoryReservations.js';
export { formatUsd, UNITS_PER_USD, unitsToUsd, usdToUnits } from './money.js';
export { RedisReservationStore } from './redisReservations.js';
export {
  type Admission,
  type AdmitInput,
  type BudgetStatus,
  type Settlement,
  SpendBudgets,
} from './spendBudgets.js';
export { checkTokenBudget, type TokenBudgetCheck } from './tokenBudget.js';
export type { BudgetConfig, BudgetWindow, ReservationStore, SpendLimit } from './types.js';
export { ANONYMOUS_CALLER, budgetWindows } from './windows.js';
