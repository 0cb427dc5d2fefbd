// The circuit breaker's state shared by every worker through Redis: one hash per model, updated by
// a Lua script so concurrent failures from several workers count exactly once each.
import type { Redis } from 'ioredis';
import {
  type CircuitSettings,
  type CircuitState,
  type CircuitStatus,
  countsAgainstHealth,
  defaultCircuitSettings,
  type HealthStore,
} from './circuit.js';

const KEY_PREFIX = 'llm:circuit:';
const INDEX_KEY = 'llm:circuits';

// KEYS[1] circuit hash, KEYS[2] index set; ARGV: model, errorType, threshold, cooldownMs.
// Server time keeps every worker on one clock. Returns nothing; read state() afterwards.
const RECORD_FAILURE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0') + 1
local openUntil = tonumber(redis.call('HGET', KEYS[1], 'openUntil') or '0')
local halfOpen = openUntil > 0 and openUntil <= now
local opens = halfOpen or failures >= tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'failures', failures, 'lastErrorType', ARGV[2])
if opens then redis.call('HSET', KEYS[1], 'openUntil', now + tonumber(ARGV[4])) end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[4]) * 10, 3600000))
return failures
`;

export class RedisHealthStore implements HealthStore {
  constructor(
    private readonly redis: Redis,
    private readonly settings: CircuitSettings = defaultCircuitSettings,
  ) {}

  async state(model: string): Promise<CircuitState> {
    const [[, hash], [, time]] = (await this.redis
      .multi()
      .hgetall(KEY_PREFIX + model)
      .time()
      .exec()) as [[null, Record<string, string>], [null, [string, string]]];
    const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    const failures = Number(hash.failures ?? 0);
    if (!failures) return { model, status: 'closed', consecutiveFailures: 0 };
    const openUntil = Number(hash.openUntil ?? 0);
    const status: CircuitStatus = openUntil === 0 ? 'closed' : openUntil > now ? 'open' : 'half_open';
    return {
      model,
      status,
      consecutiveFailures: failures,
      ...(openUntil ? { openUntil } : {}),
      ...(hash.lastErrorType ? { lastErrorType: hash.lastErrorType } : {}),
    };
  }

  async all(): Promise<CircuitState[]> {
    const models = await this.redis.smembers(INDEX_KEY);
    return Promise.all(models.sort().map((model) => this.state(model)));
  }

  async recordSuccess(model: string): Promise<void> {
    await this.redis.del(KEY_PREFIX + model);
  }

  async recordFailure(model: string, errorType: string): Promise<void> {
    if (!countsAgainstHealth(errorType)) return;
    await this.redis.eval(
      RECORD_FAILURE,
      2,
      KEY_PREFIX + model,
      INDEX_KEY,
      model,
      errorType,
      String(this.settings.failureThreshold),
      String(this.settings.cooldownMs),
    );
  }
}
