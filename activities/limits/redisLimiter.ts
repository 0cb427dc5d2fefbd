// Token buckets in Redis, shared by every worker. One Lua script refills each bucket by the time
// elapsed on the Redis server's clock (so workers' clocks do not matter), then takes from all of them
// or from none and says how long to wait.
import type { Redis } from 'ioredis';
import { numberAt, RedisScript } from './redisScript.js';
import {
  type AcquireRequest,
  bucketsFor,
  type RateLimitConfig,
  type RateLimitDecision,
  type RateLimiter,
} from './types.js';

// KEYS: one hash per bucket. ARGV: capacity, refill per ms, cost — three per key.
// Returns {1} when granted, or {0, waitMs, index of the shortest bucket}.
const TAKE = new RedisScript(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local levels = {}
local wait, short = 0, 0
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[3 * i - 2])
  local refill = tonumber(ARGV[3 * i - 1])
  local cost = tonumber(ARGV[3 * i])
  local state = redis.call('HMGET', key, 'level', 'at')
  local level, at = tonumber(state[1]), tonumber(state[2])
  if level == nil or at == nil then level, at = capacity, now end
  level = math.min(capacity, level + math.max(0, now - at) * refill)
  levels[i] = level
  if level < cost then
    local needed = math.ceil((cost - level) / refill)
    if needed > wait then wait, short = needed, i end
  end
end
if wait > 0 then return {0, wait, short} end
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[3 * i - 2])
  local refill = tonumber(ARGV[3 * i - 1])
  redis.call('HSET', key, 'level', tostring(levels[i] - tonumber(ARGV[3 * i])), 'at', tostring(now))
  -- A bucket left alone refills completely; after that its state says nothing and may go.
  redis.call('PEXPIRE', key, math.ceil(capacity / refill) + 1000)
end
return {1}
`);

export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly config: RateLimitConfig,
    private readonly prefix = 'llm:ratelimit',
  ) {}

  async tryAcquire(request: AcquireRequest): Promise<RateLimitDecision> {
    const takes = bucketsFor(this.config, request);
    if (takes.length === 0) return { granted: true };
    const reply = await TAKE.run(
      this.redis,
      takes.map((t) => `${this.prefix}:${t.id}`),
      takes.flatMap((t) => [t.capacity, t.refillPerMs, t.cost]),
    );
    if (numberAt(reply, 0) === 1) return { granted: true };
    const short = takes[numberAt(reply, 2) - 1];
    return { granted: false, waitMs: numberAt(reply, 1), limit: short?.id ?? 'unknown' };
  }
}
