// How often provider calls heartbeat: each beats every second while the worker's calls fit the
// shared budget, less often as more are in flight, and never less often than half its heartbeat
// timeout. A clock of our own drives the pacer, so no test waits for real time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeartbeatPacer, heartbeatIntervalMs, type PacerTimers } from '../activities/heartbeats.js';

const pacing = { minIntervalMs: 1000, perSecond: 50 };

/** Timers on a clock moved by hand. */
function manualClock() {
  let now = 0;
  let nextId = 0;
  const pending = new Map<number, { at: number; run: () => void }>();
  const timers: PacerTimers = {
    setTimeout: (run, ms) => {
      const id = nextId++;
      pending.set(id, { at: now + ms, run });
      return id;
    },
    clearTimeout: (id) => {
      pending.delete(id as number);
    },
  };
  const advance = (ms: number): void => {
    const until = now + ms;
    for (;;) {
      const due = [...pending.entries()]
        .filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      pending.delete(due[0]);
      now = due[1].at;
      due[1].run();
    }
    now = until;
  };
  return { timers, advance, pending: () => pending.size };
}

describe('heartbeat interval', () => {
  it('is the shortest interval while the calls in flight fit the budget', () => {
    assert.equal(heartbeatIntervalMs(pacing, 1, 10_000), 1000);
    assert.equal(heartbeatIntervalMs(pacing, 50, 10_000), 1000);
  });

  it('grows with the calls in flight so that together they keep to the budget', () => {
    assert.equal(heartbeatIntervalMs(pacing, 100, 10_000), 2000);
    assert.equal(heartbeatIntervalMs(pacing, 200, 10_000), 4000);
  });

  it('never exceeds half the heartbeat timeout, so the server does not time the call out', () => {
    assert.equal(heartbeatIntervalMs(pacing, 10_000, 10_000), 5000);
    // A heartbeat timeout shorter than twice the shortest interval wins over it.
    assert.equal(heartbeatIntervalMs(pacing, 1, 1000), 500);
    // Without a heartbeat timeout the call still beats, at most every 30 s.
    assert.equal(heartbeatIntervalMs(pacing, 10_000), 30_000);
  });
});

describe('the pacer', () => {
  it('beats one call every second, and stops when the call ends', () => {
    const clock = manualClock();
    const pacer = new HeartbeatPacer(pacing, clock.timers);
    let beats = 0;
    const stop = pacer.start(() => beats++, 10_000);
    clock.advance(999);
    assert.equal(beats, 0, 'a first try has nothing to carry: its first beat waits for the interval');
    clock.advance(9001);
    assert.equal(beats, 10);
    stop();
    stop();
    assert.equal(pacer.inFlight, 0);
    assert.equal(clock.pending(), 0);
    clock.advance(10_000);
    assert.equal(beats, 10);
  });

  it('with 200 calls in flight sends the budget a second, each call every 4 s', () => {
    const clock = manualClock();
    const pacer = new HeartbeatPacer(pacing, clock.timers);
    const counts: number[] = new Array<number>(200).fill(0);
    const stops = counts.map((_, i) =>
      pacer.start(() => {
        counts[i] = (counts[i] ?? 0) + 1;
      }, 10_000),
    );
    // The first calls started while few were in flight; after their first beat all wait 4 s.
    clock.advance(8000);
    counts.fill(0);
    clock.advance(20_000);
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      200 * 5,
      '5 beats each in 20 s: 50 a second',
    );
    assert.deepEqual(counts, new Array<number>(200).fill(5), 'each call beat every 4 s');
    // When the others end, the one left goes back to a beat a second once its current wait is over.
    for (const stop of stops.slice(1)) stop();
    assert.equal(pacer.inFlight, 1);
    clock.advance(4000);
    counts.fill(0);
    clock.advance(5000);
    assert.equal(counts[0], 5);
    stops[0]?.();
    assert.equal(pacer.inFlight, 0);
  });
});
