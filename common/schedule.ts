// When a deferred request may start: not before a given time, and inside an off-peak window.
// Pure, so the workflow can compute its durable timer deterministically.

export interface OffPeakWindow {
  /** Hour of day (UTC, 0–23) the window opens. */
  startHourUtc: number;
  /** Hour of day (UTC, 0–23) the window closes; smaller than the start when it spans midnight. */
  endHourUtc: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function inWindow(time: number, window: OffPeakWindow): boolean {
  const hour = Math.floor((time % DAY) / HOUR);
  const { startHourUtc: start, endHourUtc: end } = window;
  return start <= end ? hour >= start && hour < end : hour >= start || hour < end;
}

/** The earliest time ≥ `now` that honours `notBefore` and lies inside the off-peak window. */
export function earliestStart(now: number, notBefore?: number, window?: OffPeakWindow): number {
  const candidate = Math.max(now, notBefore ?? now);
  if (!window || inWindow(candidate, window)) return candidate;
  const dayStart = candidate - (candidate % DAY);
  const opensToday = dayStart + window.startHourUtc * HOUR;
  return opensToday > candidate ? opensToday : opensToday + DAY;
}
