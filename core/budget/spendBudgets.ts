// Admission against spend budgets: before a request's first provider call, reserve the most it can
// cost in every budget window it counts against, or refuse it with BudgetExceededError naming the
// budget and what is left. After the request, settle to the real cost, which lets the rest go.
import { BudgetExceededError } from '../../common/errors.js';
import { formatUsd, unitsToUsd, usdToUnits } from './money.js';
import type { BudgetConfig, BudgetWindow, ReservationStore, SettleResult, WindowState } from './types.js';
import { ANONYMOUS_CALLER, budgetWindows } from './windows.js';

export interface AdmitInput {
  requestId: string;
  caller?: string;
  /** The most this request may cost (input tokens counted, output at its cap). */
  maxCostUsd: number;
  /** How long the reservation holds if never settled; default from the config. */
  ttlSeconds?: number;
}

export interface Admission {
  requestId: string;
  reservedUsd: number;
  /** The windows it counts against, e.g. `caller:billing:daily 2026-11-25`. */
  budgets: string[];
  /** A reservation for this request id already existed (a retried admit). */
  existing: boolean;
}

export interface Settlement {
  requestId: string;
  /** Whether this call changed anything (false for a repeated settle). */
  changed: boolean;
  state: SettleResult['state'];
  chargedUsd: number;
  releasedUsd: number;
}

export interface BudgetStatus {
  budget: string;
  period: string;
  limitUsd: number;
  spentUsd: number;
  reservedUsd: number;
  leftUsd: number;
}

/** `caller:billing:daily` -> `caller "billing" daily budget`; caller names may contain colons. */
function describeBudget(budget: string): string {
  const scope = budget.slice(0, budget.indexOf(':'));
  const period = budget.slice(budget.lastIndexOf(':') + 1);
  const name = budget.slice(scope.length + 1, budget.length - period.length - 1);
  return name ? `${scope} "${name}" ${period} budget` : `${scope} ${period} budget`;
}

function leftUnits(window: BudgetWindow, state: WindowState): number {
  return Math.max(0, window.limitUnits - state.spentUnits - state.reservedUnits);
}

export class SpendBudgets {
  constructor(
    private readonly config: BudgetConfig,
    private readonly store: ReservationStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reserves the request's maximum cost, or throws BudgetExceededError. Idempotent per request id. */
  async admit(input: AdmitInput): Promise<Admission> {
    const windows = budgetWindows(this.config, input.caller, this.now());
    const units = usdToUnits(Math.max(0, input.maxCostUsd));
    const ttlMs = (input.ttlSeconds ?? this.config.reservationTtlSeconds) * 1000;
    const result = await this.store.reserve(input.requestId, windows, units, ttlMs);
    if (!result.reserved) {
      const { window, state } = result;
      const status = this.status(window, state);
      throw new BudgetExceededError(
        `${describeBudget(window.budget)} ${formatUsd(status.limitUsd)} for ${window.period} has ` +
          `${formatUsd(status.leftUsd)} left (${formatUsd(status.spentUsd)} spent, ` +
          `${formatUsd(status.reservedUsd)} reserved by requests in flight); this request may cost up to ` +
          `${formatUsd(unitsToUsd(units))} (config/budgets.yaml)`,
        {
          details: {
            budget: window.budget,
            period: window.period,
            caller: input.caller ?? ANONYMOUS_CALLER,
            limitUsd: status.limitUsd,
            spentUsd: status.spentUsd,
            reservedUsd: status.reservedUsd,
            leftUsd: status.leftUsd,
            requestedUsd: unitsToUsd(units),
          },
        },
      );
    }
    return {
      requestId: input.requestId,
      reservedUsd: unitsToUsd(result.units),
      budgets: windows.map((w) => `${w.budget} ${w.period}`),
      existing: result.existing,
    };
  }

  /** Charges the real cost and lets the rest of the reservation go. A second settle changes nothing. */
  async settle(requestId: string, costUsd: number): Promise<Settlement> {
    return this.finish(requestId, costUsd, 'settled');
  }

  /**
   * Charges a cost already spent outside a reservation (a semantic-cache embedding), once per
   * charge id. It counts against every window the caller's requests count against; when a window is
   * already over its limit the charge cannot be booked and `changed` is false.
   */
  async charge(chargeId: string, costUsd: number, caller?: string): Promise<Settlement> {
    const windows = budgetWindows(this.config, caller, this.now());
    await this.store.reserve(chargeId, windows, 0, this.config.reservationTtlSeconds * 1000);
    return this.finish(chargeId, costUsd, 'settled');
  }

  /** Lets the reservation go without a charge (cancelled, or failed before any provider answered). */
  async release(requestId: string): Promise<Settlement> {
    return this.finish(requestId, 0, 'released');
  }

  /** Where a caller stands today and this month (and everyone, when global limits exist). */
  async standing(caller?: string): Promise<BudgetStatus[]> {
    const windows = budgetWindows(this.config, caller, this.now());
    return Promise.all(windows.map(async (w) => this.status(w, await this.store.state(w))));
  }

  private async finish(
    requestId: string,
    costUsd: number,
    outcome: 'settled' | 'released',
  ): Promise<Settlement> {
    const result = await this.store.finish(requestId, usdToUnits(Math.max(0, costUsd)), outcome);
    return {
      requestId,
      changed: result.changed,
      state: result.state,
      chargedUsd: unitsToUsd(result.chargedUnits),
      releasedUsd: unitsToUsd(result.releasedUnits),
    };
  }

  private status(window: BudgetWindow, state: WindowState): BudgetStatus {
    return {
      budget: window.budget,
      period: window.period,
      limitUsd: unitsToUsd(window.limitUnits),
      spentUsd: unitsToUsd(state.spentUnits),
      reservedUsd: unitsToUsd(state.reservedUnits),
      leftUsd: unitsToUsd(leftUnits(window, state)),
    };
  }
}
