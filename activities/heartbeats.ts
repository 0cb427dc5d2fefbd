// How often a provider call heartbeats. A heartbeat is how a cancel reaches the call (and how the
// server notices a dead worker), but each one is an RPC and a write on the server (a billable Action
// on Temporal Cloud, whose namespaces start at 500 Actions a second). So the worker's calls share a
// budget of heartbeats per second: while few are in flight each beats at the shortest interval; with
// more, each beats less often, never less often than half its heartbeat timeout allows.

export interface HeartbeatPacing {
  /** The shortest interval: how soon a cancel reaches a call while the worker is not busy. */
  minIntervalMs: number;
  /** Heartbeats a second this worker's provider calls may send together. */
  perSecond: number;
}

/** When a call has no heartbeat timeout, it still beats this often so cancels reach it. */
const NO_TIMEOUT_MAX_INTERVAL_MS = 30_000;

/** The interval for one call while `inFlight` calls (itself included) are running. */
export function heartbeatIntervalMs(
  pacing: HeartbeatPacing,
  inFlight: number,
  heartbeatTimeoutMs?: number,
): number {
  // Half the timeout leaves room for a busy event loop before the server gives up on the call.
  const longest = heartbeatTimeoutMs ? heartbeatTimeoutMs / 2 : NO_TIMEOUT_MAX_INTERVAL_MS;
  const shared = (Math.max(1, inFlight) * 1000) / pacing.perSecond;
  return Math.max(Math.min(pacing.minIntervalMs, longest), Math.min(shared, longest));
}

/** Timers the pacer uses: Node's, or a test's own clock. */
export interface PacerTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const nodeTimers: PacerTimers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** One worker's provider calls: counts them and beats each at the interval their number allows. */
export class HeartbeatPacer {
  private running = 0;

  constructor(
    private readonly pacing: HeartbeatPacing,
    private readonly timers: PacerTimers = nodeTimers,
  ) {}

  get inFlight(): number {
    return this.running;
  }

  /** Beats `beat` until the returned stop is called; each wait is decided when the last beat ends. */
  start(beat: () => void, heartbeatTimeoutMs?: number): () => void {
    this.running++;
    let stopped = false;
    let handle: unknown;
    const next = (): void => {
      handle = this.timers.setTimeout(
        () => {
          if (stopped) return;
          beat();
          next();
        },
        heartbeatIntervalMs(this.pacing, this.running, heartbeatTimeoutMs),
      );
    };
    next();
    return () => {
      if (stopped) return;
      stopped = true;
      this.running--;
      this.timers.clearTimeout(handle);
    };
  }
}
