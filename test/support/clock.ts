// A clock a test moves by hand, for code that takes `now: () => number`: waits become `advance()`
// calls, so a test checks exact times and never depends on how fast the machine is.

export interface TestClock {
  /** The current time in ms. */
  now: () => number;
  /** Moves the time on by `ms`. */
  advance(ms: number): void;
}

/** A clock starting at `startMs` (an arbitrary, realistic epoch time by default). */
export function testClock(startMs = Date.UTC(2026, 0, 1)): TestClock {
  let time = startMs;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}
