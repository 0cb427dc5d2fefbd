// Budget reservations in Redis, shared by every worker. Each window is a hash (spent, reserved, and
// `hold:<request id>` per live reservation) plus a sorted set of its reservations by expiry; the
// request's record remembers its state so admit and settle are idempotent. Lua makes each step atomic.
// Amounts cross into Lua as decimal strings and are added with HINCRBY, never through Lua's
// floating-point number formatting. Single Redis instance (the keys are not cluster hash-tagged).
import type { Redis } from 'ioredis';
import { numberAt, RedisScript } from '../limits/redisScript.js';
import type { BudgetWindow, ReservationStore, ReserveResult, SettleResult, WindowState } from './types.js';

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// Lets expired reservations of window hash `w` (sorted set `z`) go.
const PURGE_FN = `local function purge(w, z)
  local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now)
  for _, id in ipairs(expired) do
    local held = redis.call('HGET', w, 'hold:' .. id)
    if held and held ~= '0' then redis.call('HINCRBY', w, 'reserved', '-' .. held) end
    redis.call('HDEL', w, 'hold:' .. id)
  end
  if #expired > 0 then redis.call('ZREMRANGEBYSCORE', z, '-inf', now) end
end`;

// KEYS: record, then per window its hash and sorted set.
// ARGV: request id, units, ttl ms, record ttl ms, window keys (JSON), then per window: limit, keepUntil.
// Returns {1, units, 0} reserved, {1, units, 1} already reserved, {0, window index, spent, reserved}.
const RESERVE = new RedisScript(`${NOW_MS}
${PURGE_FN}
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {1, tonumber(redis.call('HGET', KEYS[1], 'units')), 1}
end
local id, units = ARGV[1], ARGV[2]
local n = (#KEYS - 1) / 2
for i = 1, n do
  local w, z = KEYS[2 * i], KEYS[2 * i + 1]
  purge(w, z)
  local spent = tonumber(redis.call('HGET', w, 'spent') or '0')
  local reserved = tonumber(redis.call('HGET', w, 'reserved') or '0')
  if spent + reserved + tonumber(units) > tonumber(ARGV[4 + 2 * i]) then
    return {0, i, spent, reserved}
  end
end
for i = 1, n do
  local w, z = KEYS[2 * i], KEYS[2 * i + 1]
  if units ~= '0' then redis.call('HINCRBY', w, 'reserved', units) end
  redis.call('HSET', w, 'hold:' .. id, units)
  redis.call('ZADD', z, now + tonumber(ARGV[3]), id)
  redis.call('PEXPIREAT', w, ARGV[5 + 2 * i])
  redis.call('PEXPIREAT', z, ARGV[5 + 2 * i])
end
redis.call('HSET', KEYS[1], 'state', 'reserved', 'units', units, 'windows', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, tonumber(units), 0}`);

// KEYS: record, then per window its hash and sorted set. ARGV: request id, charged units, outcome.
// Returns {changed, charged, released}; changed is -1 when the request was never reserved.
const FINISH = new RedisScript(`
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {-1, 0, 0} end
if state ~= 'reserved' then return {0, tonumber(redis.call('HGET', KEYS[1], 'charged') or '0'), 0} end
local id, charged = ARGV[1], ARGV[2]
local released = 0
for i = 1, (#KEYS - 1) / 2 do
  local w, z = KEYS[2 * i], KEYS[2 * i + 1]
  local held = redis.call('HGET', w, 'hold:' .. id)
  if held then
    if held ~= '0' then redis.call('HINCRBY', w, 'reserved', '-' .. held) end
    redis.call('HDEL', w, 'hold:' .. id)
    redis.call('ZREM', z, id)
    released = tonumber(held)
  end
  if charged ~= '0' then redis.call('HINCRBY', w, 'spent', charged) end
end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'charged', charged)
return {1, tonumber(charged), released}`);

const STATE = new RedisScript(`${NOW_MS}
${PURGE_FN}
purge(KEYS[1], KEYS[2])
local values = redis.call('HMGET', KEYS[1], 'spent', 'reserved')
return {tonumber(values[1] or '0'), tonumber(values[2] or '0')}`);

/** Idempotency records outlive any reservation: a retried admit long after still finds its own. */
const RECORD_TTL_MS = 3 * 86_400_000;

export class RedisReservationStore implements ReservationStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'llm:budget',
  ) {}

  private recordKey(requestId: string): string {
    return `${this.prefix}:req:${requestId}`;
  }

  private windowKeys(window: BudgetWindow): [string, string] {
    const base = `${this.prefix}:win:${window.budget}:${window.period}`;
    return [base, `${base}:holds`];
  }

  async reserve(
    requestId: string,
    windows: BudgetWindow[],
    units: number,
    ttlMs: number,
  ): Promise<ReserveResult> {
    const windowKeys = windows.flatMap((w) => this.windowKeys(w));
    const reply = await RESERVE.run(
      this.redis,
      [this.recordKey(requestId), ...windowKeys],
      [
        requestId,
        String(Math.max(0, Math.round(units))),
        Math.max(1, Math.round(ttlMs)),
        Math.max(RECORD_TTL_MS, ttlMs * 2),
        JSON.stringify(windowKeys),
        ...windows.flatMap((w) => [String(w.limitUnits), String(w.keepUntil)]),
      ],
    );
    if (numberAt(reply, 0) === 1) {
      return { reserved: true, units: numberAt(reply, 1), existing: numberAt(reply, 2) === 1 };
    }
    const window = windows[numberAt(reply, 1) - 1];
    if (!window) throw new Error(`budget script named an unknown window: ${JSON.stringify(reply)}`);
    return {
      reserved: false,
      window,
      state: { spentUnits: numberAt(reply, 2), reservedUnits: numberAt(reply, 3) },
    };
  }

  async finish(
    requestId: string,
    chargedUnits: number,
    outcome: 'settled' | 'released',
  ): Promise<SettleResult> {
    const record = this.recordKey(requestId);
    // The windows a request reserved in never change after admission, so reading them first is safe.
    const windowsJson = await this.redis.hget(record, 'windows');
    const windowKeys = windowsJson ? (JSON.parse(windowsJson) as string[]) : [];
    const reply = await FINISH.run(
      this.redis,
      [record, ...windowKeys],
      [requestId, String(Math.max(0, Math.round(chargedUnits))), outcome],
    );
    const changed = numberAt(reply, 0);
    if (changed === -1) return { changed: false, state: 'unknown', chargedUnits: 0, releasedUnits: 0 };
    const state =
      changed === 1 ? outcome : ((await this.redis.hget(record, 'state')) as 'settled' | 'released');
    return {
      changed: changed === 1,
      state,
      chargedUnits: numberAt(reply, 1),
      releasedUnits: numberAt(reply, 2),
    };
  }

  async state(window: BudgetWindow): Promise<WindowState> {
    const reply = await STATE.run(this.redis, this.windowKeys(window), []);
    return { spentUnits: numberAt(reply, 0), reservedUnits: numberAt(reply, 1) };
  }
}
