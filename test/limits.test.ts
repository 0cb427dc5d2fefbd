// Rate limits: the same behaviour from the Redis token buckets and the in-process ones, and with
// Redis the limit holds across two limiter instances (two workers) racing for the same buckets.
// Every limiter runs on a test clock: waits are checked exactly and races are rounds, not seconds.
// (The latency of 10,000 acquires on Redis is a load test: test/drills/rate-limit-latency.test.ts.)
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createRateLimitActivities, enforceRateLimit } from '../activities/limits.js';
import { isLocalRateLimitError, LocalRateLimitError } from '../core/limits/errors.js';
import { RedisRateLimiter } from '../core/limits/redisLimiter.js';
import type { AcquireRequest, RateLimitConfig, RateLimiter } from '../core/limits/types.js';
import { type TestClock, testClock } from './support/clock.js';
import { useRateLimiterBackends } from './support/rateLimiters.js';

const redisFixture = useRateLimiterBackends();
const { backends } = redisFixture;

const call = (tokens = 10): AcquireRequest => ({ provider: 'openai', model: 'gpt-4o', requests: 1, tokens });

/**
 * Every acquirer asks at once, every `stepMs` over `windowMs` of the test clock (both ends
 * included); returns how many were granted. The concurrency is real (the asks race on the
 * limiter), only time is simulated.
 */
async function race(
  limiters: RateLimiter[],
  clock: TestClock,
  acquirers: number,
  windowMs: number,
  stepMs = 25,
): Promise<number> {
  let grants = 0;
  for (let elapsed = 0; elapsed <= windowMs; elapsed += stepMs) {
    const decisions = await Promise.all(
      Array.from({ length: acquirers }, (_, i) =>
        (limiters[i % limiters.length] as RateLimiter).tryAcquire(call()),
      ),
    );
    grants += decisions.filter((d) => d.granted).length;
    if (elapsed + stepMs <= windowMs) clock.advance(stepMs);
  }
  return grants;
}

for (const backend of backends) {
  describe(`rate limiter on ${backend.name}`, () => {
    it('grants a burst, then refuses with the wait until the next token, then grants after it', async () => {
      // 10 requests a second, at most 5 at once.
      const clock = testClock();
      const limiter = backend.make(
        { providers: {}, models: { 'gpt-4o': { requestsPerMinute: 600, burstFraction: 5 / 600 } } },
        clock.now,
      );
      for (let i = 0; i < 5; i++) assert.deepEqual(await limiter.tryAcquire(call()), { granted: true });
      const refused = await limiter.tryAcquire(call());
      assert.ok(!refused.granted);
      assert.equal(refused.limit, 'model:gpt-4o:requests');
      assert.equal(refused.waitMs, 100);
      clock.advance(99);
      assert.equal((await limiter.tryAcquire(call())).granted, false, 'not a moment before the wait');
      clock.advance(1);
      assert.deepEqual(await limiter.tryAcquire(call()), { granted: true });
    });

    it('limits tokens per minute and takes from every bucket or from none', async () => {
      const limiter = backend.make(
        { providers: { openai: { requestsPerMinute: 10 } }, models: { 'gpt-4o': { tokensPerMinute: 1000 } } },
        testClock().now,
      );
      assert.equal((await limiter.tryAcquire(call(900))).granted, true);
      const refused = await limiter.tryAcquire(call(500));
      assert.ok(!refused.granted);
      assert.equal(refused.limit, 'model:gpt-4o:tokens');
      // 400 tokens short at 1000 a minute: 24 s.
      assert.equal(refused.waitMs, 24_000);
      // The refusal took no request from the provider's bucket: 9 more fit, not 8.
      for (let i = 0; i < 9; i++) {
        const d = await limiter.tryAcquire({ provider: 'openai', model: 'gpt-4o-mini', tokens: 1 });
        assert.equal(d.granted, true, `request ${i + 2} of 10 was refused`);
      }
      const last = await limiter.tryAcquire({ provider: 'openai', model: 'gpt-4o-mini', tokens: 1 });
      assert.ok(!last.granted);
      assert.equal(last.limit, 'provider:openai:requests');
    });

    it('lets a call bigger than the whole bucket through once the bucket is full, rather than never', async () => {
      const limiter = backend.make(
        { providers: {}, models: { 'gpt-4o': { tokensPerMinute: 100 } } },
        testClock().now,
      );
      assert.equal((await limiter.tryAcquire(call(5000))).granted, true);
    });

    it('grants everything to calls nothing limits', async () => {
      const limiter = backend.make({ providers: {}, models: {} }, testClock().now);
      for (let i = 0; i < 100; i++) assert.equal((await limiter.tryAcquire(call(1e9))).granted, true);
    });

    it('grants 100 concurrent acquirers exactly the burst plus the rate, never more', async () => {
      // 20 a second, bursts of 5: over 1 s, 5 + 20 grants.
      const clock = testClock();
      const limiter = backend.make(
        { providers: {}, models: { 'gpt-4o': { requestsPerMinute: 1200, burstFraction: 5 / 1200 } } },
        clock.now,
      );
      assert.equal(await race([limiter], clock, 100, 1000), 25);
    });
  });
}

describe('rate limiter shared through Redis', () => {
  it('holds the rate across two limiter instances with their own connections (two workers)', async () => {
    const config: RateLimitConfig = {
      providers: {},
      models: { 'gpt-4o': { requestsPerMinute: 1800, burstFraction: 10 / 1800 } },
    };
    const prefix = `test-${randomUUID()}`;
    const second = new Redis(redisFixture.server().url);
    const clock = testClock();
    const workers = [
      new RedisRateLimiter(redisFixture.redis(), config, prefix, clock.now),
      new RedisRateLimiter(second, config, prefix, clock.now),
    ];
    try {
      // 30 a second, bursts of 10: over 1.5 s, 10 + 45 grants between the two.
      assert.equal(await race(workers, clock, 60, 1500), 55);
      // Each worker alone would have granted its own 10 + 45: the shared buckets are what held.
    } finally {
      await second.quit();
    }
  });

  it('enforceRateLimit throws a retryable LocalRateLimitError whose retry delay is the wait', async () => {
    const limiter = new RedisRateLimiter(
      redisFixture.redis(),
      { providers: {}, models: { 'gpt-4o': { requestsPerMinute: 1 } } },
      `test-${randomUUID()}`,
    );
    const model = { id: 'gpt-4o', provider: 'openai' as const };
    await enforceRateLimit(limiter, { model, promptTokens: 10, maxOutputTokens: 10 });
    const error = await enforceRateLimit(limiter, { model, promptTokens: 10, maxOutputTokens: 10 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof LocalRateLimitError);
    assert.ok(isLocalRateLimitError(error));
    assert.equal(error.type, 'LocalRateLimitError');
    assert.equal(error.nonRetryable, false);
    assert.ok(typeof error.nextRetryDelay === 'number' && (error.nextRetryDelay as number) > 55_000);
    assert.match(error.message, /model:gpt-4o:requests/);
  });

  it('lets calls through when Redis is down, so a limiter outage does not stop traffic', async () => {
    const down = new Redis(`redis://127.0.0.1:${redisFixture.server().port + 1}`, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    try {
      // One request a minute: with Redis up, the second call would be refused.
      const limiter = new RedisRateLimiter(down, {
        providers: {},
        models: { 'gpt-4o': { requestsPerMinute: 1 } },
      });
      const model = { id: 'gpt-4o', provider: 'openai' as const };
      const asked = { model, promptTokens: 1, maxOutputTokens: 1 };
      await assert.rejects(limiter.tryAcquire(call()), 'the limiter itself cannot reach Redis');
      const { acquireRateLimit } = createRateLimitActivities({ rateLimiter: limiter });
      assert.deepEqual(await acquireRateLimit(asked), { granted: true });
      assert.deepEqual(await acquireRateLimit(asked), { granted: true });
      await enforceRateLimit(limiter, asked);
      await enforceRateLimit(limiter, asked);
    } finally {
      down.disconnect();
    }
  });
});
