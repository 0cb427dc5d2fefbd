// Budget reservations in this process, for one worker without Redis. Every method's check-and-change
// runs without an await in between, so concurrent admissions cannot both take the last dollar.
import { LRUCache } from 'lru-cache';
import type { BudgetWindow, ReservationStore, ReserveResult, SettleResult, WindowState } from './types.js';

interface Reservation {
  windows: string[];
  units: number;
  expiresAt: number;
  state: 'reserved' | 'settled' | 'released';
  chargedUnits: number;
  /** Whether its hold is still counted in its windows (false once expired or finished). */
  holding: boolean;
}

const windowId = (w: BudgetWindow): string => `${w.budget}:${w.period}`;

export class InProcessReservationStore implements ReservationStore {
  private readonly windows = new Map<string, WindowState>();
  /** Every request's record, kept (like Redis's) long enough to make retried admits idempotent. */
  private readonly reservations = new LRUCache<string, Reservation>({ max: 100_000, ttl: 3 * 86_400_000 });
  /** Reservations still counted in their windows: the only ones expiry has to look at. */
  private readonly holding = new Set<Reservation>();

  constructor(private readonly now: () => number = Date.now) {}

  private window(id: string): WindowState {
    let state = this.windows.get(id);
    if (!state) {
      state = { spentUnits: 0, reservedUnits: 0 };
      this.windows.set(id, state);
    }
    return state;
  }

  private letGo(reservation: Reservation): number {
    if (!reservation.holding) return 0;
    reservation.holding = false;
    this.holding.delete(reservation);
    for (const id of reservation.windows) this.window(id).reservedUnits -= reservation.units;
    return reservation.units;
  }

  private purgeExpired(): void {
    const now = this.now();
    for (const reservation of this.holding) {
      if (reservation.expiresAt <= now) this.letGo(reservation);
    }
  }

  async reserve(
    requestId: string,
    windows: BudgetWindow[],
    units: number,
    ttlMs: number,
  ): Promise<ReserveResult> {
    const existing = this.reservations.get(requestId);
    if (existing) return { reserved: true, units: existing.units, existing: true };
    this.purgeExpired();
    const amount = Math.max(0, Math.round(units));
    for (const w of windows) {
      const state = this.window(windowId(w));
      if (state.spentUnits + state.reservedUnits + amount > w.limitUnits) {
        return { reserved: false, window: w, state: { ...state } };
      }
    }
    const ids = windows.map(windowId);
    for (const id of ids) this.window(id).reservedUnits += amount;
    const reservation: Reservation = {
      windows: ids,
      units: amount,
      expiresAt: this.now() + ttlMs,
      state: 'reserved',
      chargedUnits: 0,
      holding: true,
    };
    this.reservations.set(requestId, reservation);
    this.holding.add(reservation);
    return { reserved: true, units: amount, existing: false };
  }

  async finish(
    requestId: string,
    chargedUnits: number,
    outcome: 'settled' | 'released',
  ): Promise<SettleResult> {
    const reservation = this.reservations.get(requestId);
    if (!reservation) return { changed: false, state: 'unknown', chargedUnits: 0, releasedUnits: 0 };
    if (reservation.state !== 'reserved') {
      return {
        changed: false,
        state: reservation.state,
        chargedUnits: reservation.chargedUnits,
        releasedUnits: 0,
      };
    }
    this.purgeExpired();
    const releasedUnits = this.letGo(reservation);
    const charged = Math.max(0, Math.round(chargedUnits));
    for (const id of reservation.windows) this.window(id).spentUnits += charged;
    reservation.state = outcome;
    reservation.chargedUnits = charged;
    return { changed: true, state: outcome, chargedUnits: charged, releasedUnits };
  }

  async state(window: BudgetWindow): Promise<WindowState> {
    this.purgeExpired();
    return { ...this.window(windowId(window)) };
  }
}
