// What the batch activities count for operators: items queued, submitted and completed (by outcome)
// and the money the batch price saved. The worker implements it over its Prometheus registry.

export interface BatchCounters {
  queued(model: string): void;
  submitted(model: string, items: number): void;
  completed(model: string, outcome: 'succeeded' | 'errored' | 'expired' | 'canceled' | 'missing'): void;
  /** Ordinary price minus batch price of an answered item, in US dollars. */
  saved(model: string, usd: number): void;
}

/** Counts nothing: for workers and tests without metrics. */
export const noBatchCounters: BatchCounters = {
  queued: () => {},
  submitted: () => {},
  completed: () => {},
  saved: () => {},
};
