// Rate limits: the same behaviour from the Redis token buckets and the in-process ones, and with
// Redis the limit holds across two limiter instances (two workers) racing for the same buckets.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { enforceRateLimit } from '../activities/limits.js';
import { isLocalRateLimitError, LocalRateLimitError } from '../core/limits/errors.js';
import { RedisRateLimiter } from '../core/limits/redisLimiter.js';
import type { AcquireRequest, RateLimitConfig, RateLimiter } from '../core/limits/types.js';
import { useRateLimiterBackends } from './support/rateLimiters.js';

const redisFixture = useRateLimiterBackends();
const { backends } = redisFixture;

const call = (tokens = 10): AcquireRequest => ({ provider: 'openai', model: 'gpt-4o', requests: 1, tokens });

/** Runs acquirers until `windowMs` passes; a refused one waits as Temporal would, then asks again. */
async function race(limiters: RateLimiter[], acquirers: number, windowMs: number): Promise<number> {
  const end = Date.now() + windowMs;
  let grants = 0;
  await Promise.all(
    Array.from({ length: acquirers }, async (_, i) => {
      const limiter = limiters[i % limiters.length] as RateLimiter;
      while (Date.now() < end) {
        const decision = await limiter.tryAcquire(call());
        if (decision.granted) {
          if (Date.now() <= end) grants++;
        } else {
          await sleep(Math.min(decision.waitMs, Math.max(0, end - Date.now())) + 1);
        }
      }
    }),
  );
  return grants;
}

for (const backend of backends) {
  describe(`rate limiter on ${backend.name}`, () => {
    it('grants a burst, then refuses with the wait until the next token, then grants after it', async () => {
      // 10 requests a second, at most 5 at once.
      const limiter = backend.make({
        providers: {},
        models: { 'gpt-4o': { requestsPerMinute: 600, burstFraction: 5 / 600 } },
      });
      for (let i = 0; i < 5; i++) assert.deepEqual(await limiter.tryAcquire(call()), { granted: true });
      const refused = await limiter.tryAcquire(call());
      assert.ok(!refused.granted);
      assert.equal(refused.limit, 'model:gpt-4o:requests');
      assert.ok(refused.waitMs > 0 && refused.waitMs <= 100, `wait ${refused.waitMs} ms`);
      await sleep(refused.waitMs + 5);
      assert.deepEqual(await limiter.tryAcquire(call()), { granted: true });
    });

    it('limits tokens per minute and takes from every bucket or from none', async () => {
      const limiter = backend.make({
        providers: { openai: { requestsPerMinute: 10 } },
        models: { 'gpt-4o': { tokensPerMinute: 1000 } },
      });
      assert.equal((await limiter.tryAcquire(call(900))).granted, true);
      const refused = await limiter.tryAcquire(call(500));
      assert.ok(!refused.granted);
      assert.equal(refused.limit, 'model:gpt-4o:tokens');
      // 400 tokens short at 1000 a minute: 24 s.
      assert.ok(Math.abs(refused.waitMs - 24_000) < 200, `wait ${refused.waitMs} ms`);
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
      const limiter = backend.make({ providers: {}, models: { 'gpt-4o': { tokensPerMinute: 100 } } });
      assert.equal((await limiter.tryAcquire(call(5000))).granted, true);
    });

    it('grants everything to calls nothing limits', async () => {
      const limiter = backend.make({ providers: {}, models: {} });
      for (let i = 0; i < 100; i++) assert.equal((await limiter.tryAcquire(call(1e9))).granted, true);
    });

    it('never grants more than the rate to 100 concurrent acquirers', async () => {
      // 20 a second, bursts of 5: in 1 s at most 5 + 20 grants.
      const limiter = backend.make({
        providers: {},
        models: { 'gpt-4o': { requestsPerMinute: 1200, burstFraction: 5 / 1200 } },
      });
      const started = Date.now();
      const grants = await race([limiter], 100, 1000);
      const allowed = 5 + (20 * (Date.now() - started)) / 1000;
      assert.ok(grants <= allowed + 1, `${grants} grants, at most ${allowed} allowed`);
      assert.ok(grants >= 15, `only ${grants} grants: the limiter starves callers`);
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
    const workers = [
      new RedisRateLimiter(redisFixture.redis(), config, prefix),
      new RedisRateLimiter(second, config, prefix),
    ];
    try {
      const started = Date.now();
      const grants = await race(workers, 60, 1500);
      // 30 a second, bursts of 10: in 1.5 s at most 10 + 45.
      const allowed = 10 + (30 * (Date.now() - started)) / 1000;
      console.log(
        `two workers, 60 acquirers, 1.5 s: ${grants} grants, at most ${allowed.toFixed(1)} allowed`,
      );
      assert.ok(grants <= allowed + 1, `${grants} grants across two workers, at most ${allowed} allowed`);
      assert.ok(grants >= 0.8 * allowed - 5, `only ${grants} of ${allowed} granted`);
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
    const limiter = new RedisRateLimiter(down, {
      providers: {},
      models: { 'gpt-4o': { requestsPerMinute: 1 } },
    });
    const model = { id: 'gpt-4o', provider: 'openai' as const };
    await enforceRateLimit(limiter, { model, promptTokens: 1, maxOutputTokens: 1 });
    down.disconnect();
  });

  it('answers in well under a millisecond at the median: 10,000 sequential acquires on local Redis', async () => {
    const limiter = new RedisRateLimiter(
      redisFixture.redis(),
      {
        providers: { openai: { requestsPerMinute: 1e9, tokensPerMinute: 1e12 } },
        models: { 'gpt-4o': { requestsPerMinute: 1e9, tokensPerMinute: 1e12 } },
      },
      `test-${randomUUID()}`,
    );
    const samples: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const started = process.hrtime.bigint();
      await limiter.tryAcquire(call(500));
      samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    samples.sort((a, b) => a - b);
    const at = (q: number): number =>
      samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
    console.log(
      `redis token bucket (4 buckets per call), 10,000 sequential acquires: p50 ${at(0.5).toFixed(3)} ms, ` +
        `p99 ${at(0.99).toFixed(3)} ms, max ${at(1).toFixed(3)} ms`,
    );
    // The median is the stable figure on a busy machine; the tail is reported, not asserted.
    assert.ok(at(0.5) < 5, `p50 ${at(0.5)} ms`);
  });
});
