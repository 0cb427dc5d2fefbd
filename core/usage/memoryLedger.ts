// The usage ledger in this process, for a worker without Redis: the same answers as the Redis
// ledger, lost when the process ends.
import { LRUCache } from 'lru-cache';
import { addCounts, type Counts, countsOf, emptyCounts, toRows, toTotals } from './totals.js';
import {
  dimensionValue,
  USAGE_DIMENSIONS,
  type UsageDimension,
  type UsageLedger,
  type UsageQuery,
  type UsageRecord,
  type UsageRow,
  type UsageTotals,
  utcDay,
} from './types.js';

type DayTotals = Record<UsageDimension, Map<string, Counts>>;

export class InProcessUsageLedger implements UsageLedger {
  /** Keys of calls already counted, for as long as a retry could repeat one. */
  private readonly seen = new LRUCache<string, UsageRecord>({ max: 1_000_000, ttl: 8 * 86_400_000 });
  private readonly days = new Map<string, DayTotals>();
  private readonly requests = new LRUCache<string, Counts>({ max: 100_000 });

  async record(record: UsageRecord): Promise<boolean> {
    if (this.seen.has(record.callKey)) return false;
    this.seen.set(record.callKey, record);
    const counts = countsOf(record);
    const day = utcDay(record.at);
    let totals = this.days.get(day);
    if (!totals) {
      totals = { model: new Map(), task: new Map(), caller: new Map(), provider: new Map() };
      this.days.set(day, totals);
    }
    for (const by of USAGE_DIMENSIONS) {
      const name = dimensionValue(record, by);
      const row = totals[by].get(name) ?? emptyCounts();
      addCounts(row, counts);
      totals[by].set(name, row);
    }
    const perRequest = this.requests.get(record.requestId) ?? emptyCounts();
    addCounts(perRequest, counts);
    this.requests.set(record.requestId, perRequest);
    return true;
  }

  async totals(query: UsageQuery): Promise<UsageRow[]> {
    const byKey = new Map<string, Counts>();
    for (const [day, totals] of this.days) {
      if ((query.since && day < query.since) || (query.until && day > query.until)) continue;
      for (const [name, counts] of totals[query.by]) {
        const row = byKey.get(name) ?? emptyCounts();
        addCounts(row, counts);
        byKey.set(name, row);
      }
    }
    return toRows(byKey);
  }

  async call(callKey: string): Promise<UsageRecord | undefined> {
    return this.seen.get(callKey);
  }

  async requestTotals(requestId: string): Promise<UsageTotals | undefined> {
    const counts = this.requests.get(requestId);
    return counts ? toTotals(counts) : undefined;
  }
}
