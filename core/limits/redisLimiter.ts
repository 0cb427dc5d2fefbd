// Token buckets in Redis, shared by every worker. One Lua script refills each bucket by the time
// elapsed on the Redis server's clock (so workers' clocks do not matter), then takes from all of them
// or from none and says how long to wait. Each bucket also keeps the time its next free slot comes
// (`next`): a holder that must wait is given that slot and moves it on by its cost, so waiting
// holders go in order, and a caller without a slot waits behind them.
import type { Redis } from 'ioredis';
import { numberAt, RedisScript } from './redisScript.js';
import {
  type AcquireRequest,
  bucketsFor,
  type RateLimitConfig,
  type RateLimitDecision,
  type RateLimiter,
  RESERVED_SLOT,
  SLOT_KEEP_MS,
} from './types.js';

// KEYS: one hash per bucket (level, at, next), then the holder's slot key when there is a holder.
// ARGV: bucket count, max wait for a slot in ms (-1: any), keep ms, then capacity, refill per ms and
// cost per bucket, then optionally the time in ms (a test's clock; the server's TIME without it).
// Returns {1} when granted, else {0, waitMs, index of the shortest bucket (0: the holder's slot is
// still to come), 1 if the holder has a slot at the end of the wait}.
const TAKE = new RedisScript(`
local n, maxWait, keep = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local now = tonumber(ARGV[4 + 3 * n])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
end
local slotKey = KEYS[n + 1]
local function rule(i, k) return tonumber(ARGV[3 + 3 * (i - 1) + k]) end
local CAPACITY, REFILL, COST = 1, 2, 3

local slot = slotKey and tonumber(redis.call('GET', slotKey))
if slot and slot > now then return {0, math.ceil(slot - now), 0, 1} end

local levels, nexts = {}, {}
local ready, back, short = true, now, 0
for i = 1, n do
  local state = redis.call('HMGET', KEYS[i], 'level', 'at', 'next')
  local level, at = tonumber(state[1]), tonumber(state[2])
  if level == nil or at == nil then level, at = rule(i, CAPACITY), now end
  levels[i] = math.min(rule(i, CAPACITY), level + math.max(0, now - at) * rule(i, REFILL))
  nexts[i] = tonumber(state[3]) or 0
  -- A holder whose slot has come only needs the tokens; anyone else also waits for the slots ahead.
  if levels[i] < rule(i, COST) or (not slot and nexts[i] > now) then ready = false end
  local free = math.max(nexts[i], now + math.max(0, rule(i, COST) - levels[i]) / rule(i, REFILL))
  if free > back then back, short = free, i end
end

local function save(i)
  redis.call('HSET', KEYS[i], 'level', tostring(levels[i]), 'at', tostring(now), 'next', tostring(nexts[i]))
  -- Once the bucket is full again and no slot is ahead, its state says nothing and may go.
  local ttl = math.max((rule(i, CAPACITY) - levels[i]) / rule(i, REFILL), nexts[i] - now)
  redis.call('PEXPIRE', KEYS[i], math.ceil(ttl) + 1000)
end

if ready then
  for i = 1, n do
    levels[i] = levels[i] - rule(i, COST)
    save(i)
  end
  if slot then redis.call('DEL', slotKey) end
  return {1}
end
local wait = math.max(1, math.ceil(back - now))
if slotKey and (maxWait < 0 or wait <= maxWait) then
  -- The slot at the back of the queue: a new holder's, or a late holder's whose tokens went to others.
  for i = 1, n do
    nexts[i] = back + rule(i, COST) / rule(i, REFILL)
    save(i)
  end
  redis.call('SET', slotKey, tostring(back), 'PX', wait + keep)
  return {0, wait, short, 1}
end
if slot then redis.call('DEL', slotKey) end
return {0, wait, short, 0}
`);

export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly config: RateLimitConfig,
    private readonly prefix = 'llm:ratelimit',
    /** The clock in ms; absent, the Redis server's (production). Tests pass one they advance. */
    private readonly now?: () => number,
  ) {}

  async tryAcquire(request: AcquireRequest): Promise<RateLimitDecision> {
    const takes = bucketsFor(this.config, request);
    if (takes.length === 0) return { granted: true };
    const reply = await TAKE.run(
      this.redis,
      [
        ...takes.map((t) => `${this.prefix}:${t.id}`),
        ...(request.holder ? [`${this.prefix}:slot:${request.holder}`] : []),
      ],
      [
        takes.length,
        request.maxWaitMs ?? -1,
        SLOT_KEEP_MS,
        ...takes.flatMap((t) => [t.capacity, t.refillPerMs, t.cost]),
        ...(this.now ? [this.now()] : []),
      ],
    );
    if (numberAt(reply, 0) === 1) return { granted: true };
    const short = numberAt(reply, 2);
    return {
      granted: false,
      waitMs: numberAt(reply, 1),
      limit: short === 0 ? RESERVED_SLOT : (takes[short - 1]?.id ?? 'unknown'),
      reserved: numberAt(reply, 3) === 1,
    };
  }
}
