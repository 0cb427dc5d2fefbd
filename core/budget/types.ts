// Spend budgets: how much a caller (and everyone together) may spend per day and per month, and the
// reservations that make the limit hold while many requests run at once.

/** A limit in US dollars; a missing number means no limit for that period. */
export interface SpendLimit {
  dailyUsd?: number;
  monthlyUsd?: number;
}

export interface BudgetConfig {
  /** All callers together. */
  global?: SpendLimit;
  /** Callers the file does not name (and requests without a caller, as `anonymous`). */
  defaultCaller?: SpendLimit;
  callers: Record<string, SpendLimit>;
  /** How long a reservation holds when its request never settles (crashed worker). */
  reservationTtlSeconds: number;
}

/** One budget in one period, e.g. caller `billing` on 2026-11-25. */
export interface BudgetWindow {
  /** `caller:<name>:daily`, `caller:<name>:monthly`, `global:daily`, `global:monthly`. */
  budget: string;
  /** `YYYY-MM-DD` or `YYYY-MM` (UTC). */
  period: string;
  limitUnits: number;
  /** Epoch ms after which the window's record may be deleted (well after the period ends). */
  keepUntil: number;
}

export interface WindowState {
  spentUnits: number;
  reservedUnits: number;
}

export type ReserveResult =
  | {
      reserved: true;
      units: number /** A reservation for this request id already existed. */;
      existing: boolean;
    }
  | { reserved: false; window: BudgetWindow; state: WindowState };

export interface SettleResult {
  /** False when the request was already settled or released (nothing changed), or never reserved. */
  changed: boolean;
  state: 'settled' | 'released' | 'unknown';
  /** What the request was charged (on the first settle). */
  chargedUnits: number;
  /** What its reservation held before it was let go (0 when it had expired). */
  releasedUnits: number;
}

/** Atomic reservation storage: Redis (shared) or in-process. Amounts are integer units (see money.ts). */
export interface ReservationStore {
  /** Reserves `units` in every window, all or none; idempotent per request id. */
  reserve(requestId: string, windows: BudgetWindow[], units: number, ttlMs: number): Promise<ReserveResult>;
  /** Lets the reservation go and charges `chargedUnits`; idempotent per request id. */
  finish(requestId: string, chargedUnits: number, outcome: 'settled' | 'released'): Promise<SettleResult>;
  /** Spent and reserved in a window (expired reservations no longer count). */
  state(window: BudgetWindow): Promise<WindowState>;
}
