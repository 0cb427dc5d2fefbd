// The two rate limiter back-ends, for tests that hold both to the same behaviour: Redis token buckets
// on a real Redis started for the test file, and the in-process ones; both on the test's clock.
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { Redis } from 'ioredis';
import { InProcessRateLimiter } from '../../core/limits/memoryLimiter.js';
import { RedisRateLimiter } from '../../core/limits/redisLimiter.js';
import type { RateLimitConfig, RateLimiter } from '../../core/limits/types.js';
import { type RunningRedis, startRedis } from '../../scripts/redis.js';

export interface RateLimiterBackend {
  name: string;
  /** A new limiter with its own buckets (a fresh key prefix on Redis), on the clock `now`. */
  make: (config: RateLimitConfig, now: () => number) => RateLimiter;
}

export interface RateLimiterFixture {
  backends: RateLimiterBackend[];
  /** The Redis server and a connection to it, once `before` has run. */
  server: () => RunningRedis;
  redis: () => Redis;
}

/** Starts Redis before the file's tests and stops it after; call at the top level of a test file. */
export function useRateLimiterBackends(): RateLimiterFixture {
  let server: RunningRedis | undefined;
  let redis: Redis | undefined;
  before(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  after(async () => {
    await redis?.quit();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (!value) throw new Error('Redis is not started yet: use the fixture inside a test');
    return value;
  };
  return {
    backends: [
      {
        name: 'redis',
        make: (config, now) => new RedisRateLimiter(started(redis), config, `test-${randomUUID()}`, now),
      },
      { name: 'in-process', make: (config, now) => new InProcessRateLimiter(config, now) },
    ],
    server: () => started(server),
    redis: () => started(redis),
  };
}
