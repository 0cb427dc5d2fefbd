// The usage ledger in Redis. One Lua script claims the call's key with SET NX and, only if it was
// new, adds the call to its request's hash and to the day's hash per dimension (field
// `<metric>|<name>`), so a call is counted exactly once even when two workers race to record it.
import type { Redis } from 'ioredis';
import { numberAt, RedisScript } from '../limits/redisScript.js';
import { addCounts, type Counts, countsOf, emptyCounts, toRows, toTotals } from './totals.js';
import {
  dimensionValue,
  METRICS,
  type Metric,
  USAGE_DIMENSIONS,
  type UsageLedger,
  type UsageQuery,
  type UsageRecord,
  type UsageRow,
  type UsageTotals,
  utcDay,
} from './types.js';

// KEYS: call key, request hash, days index, then one day hash per dimension.
// ARGV: call ttl ms, request ttl ms, day keep-until ms, day, day score, the call's record (JSON, kept
// under its key so a later attempt can read what an earlier one was billed), the metric values
// (METRICS order), then one name per dimension. Returns 1 when counted, 0 for a repeat.
const RECORD = new RedisScript(`
if not redis.call('SET', KEYS[1], ARGV[6], 'NX', 'PX', ARGV[1]) then return 0 end
local metrics = {${METRICS.map((m) => `'${m}'`).join(', ')}}
local first = 7
for m, metric in ipairs(metrics) do
  local value = ARGV[first + m - 1]
  if value ~= '0' then
    redis.call('HINCRBY', KEYS[2], metric, value)
    for d = 4, #KEYS do
      redis.call('HINCRBY', KEYS[d], metric .. '|' .. ARGV[first + #metrics + d - 4], value)
    end
  end
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
for d = 4, #KEYS do redis.call('PEXPIREAT', KEYS[d], ARGV[3]) end
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4])
return 1`);

const DAY_MS = 86_400_000;

export interface RedisLedgerOptions {
  prefix?: string;
  /** How long a call's key blocks a second count; longer than any retry or replay (default 8 days). */
  callKeyTtlMs?: number;
  /** How long daily totals are kept (default 400 days). */
  keepDays?: number;
}

export class RedisUsageLedger implements UsageLedger {
  private readonly prefix: string;
  private readonly callKeyTtlMs: number;
  private readonly keepDays: number;

  constructor(
    private readonly redis: Redis,
    options: RedisLedgerOptions = {},
  ) {
    this.prefix = options.prefix ?? 'llm:usage';
    this.callKeyTtlMs = options.callKeyTtlMs ?? 8 * DAY_MS;
    this.keepDays = options.keepDays ?? 400;
  }

  private dayKey(day: string, by: string): string {
    return `${this.prefix}:day:${day}:${by}`;
  }

  async record(record: UsageRecord): Promise<boolean> {
    const day = utcDay(record.at);
    const dayStart = Date.parse(`${day}T00:00:00Z`);
    const counts = countsOf(record);
    const reply = await RECORD.run(
      this.redis,
      [
        `${this.prefix}:call:${record.callKey}`,
        `${this.prefix}:req:${record.requestId}`,
        `${this.prefix}:days`,
        ...USAGE_DIMENSIONS.map((by) => this.dayKey(day, by)),
      ],
      [
        this.callKeyTtlMs,
        this.callKeyTtlMs,
        dayStart + this.keepDays * DAY_MS,
        day,
        dayStart / DAY_MS,
        JSON.stringify(record),
        ...METRICS.map((m) => String(counts[m])),
        ...USAGE_DIMENSIONS.map((by) => dimensionValue(record, by)),
      ],
    );
    return numberAt([reply], 0) === 1;
  }

  async totals(query: UsageQuery): Promise<UsageRow[]> {
    const min = query.since ? Date.parse(`${query.since}T00:00:00Z`) / DAY_MS : '-inf';
    const max = query.until ? Date.parse(`${query.until}T00:00:00Z`) / DAY_MS : '+inf';
    const days = await this.redis.zrangebyscore(`${this.prefix}:days`, min, max);
    const byKey = new Map<string, Counts>();
    const pipeline = this.redis.pipeline();
    for (const day of days) pipeline.hgetall(this.dayKey(day, query.by));
    for (const [error, fields] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      for (const [field, value] of Object.entries(fields as Record<string, string>)) {
        const bar = field.indexOf('|');
        const metric = field.slice(0, bar) as Metric;
        const name = field.slice(bar + 1);
        let counts = byKey.get(name);
        if (!counts) {
          counts = emptyCounts();
          byKey.set(name, counts);
        }
        addCounts(counts, { [metric]: Number(value) });
      }
    }
    return toRows(byKey);
  }

  async call(callKey: string): Promise<UsageRecord | undefined> {
    const stored = await this.redis.get(`${this.prefix}:call:${callKey}`);
    // Keys written before records were kept hold '1': counted, but what it was billed is not known.
    if (!stored?.startsWith('{')) return undefined;
    return JSON.parse(stored) as UsageRecord;
  }

  async requestTotals(requestId: string): Promise<UsageTotals | undefined> {
    const fields = await this.redis.hgetall(`${this.prefix}:req:${requestId}`);
    if (Object.keys(fields).length === 0) return undefined;
    const counts = emptyCounts();
    for (const metric of METRICS) counts[metric] = Number(fields[metric] ?? 0);
    return toTotals(counts);
  }
}
