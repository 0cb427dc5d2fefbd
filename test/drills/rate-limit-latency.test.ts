// Load test: how long one rate-limit decision takes on a local Redis (four buckets per call),
// over 10,000 sequential acquires. A wall-clock figure, so it runs with the drills, not in npm test.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { RedisRateLimiter } from '../../core/limits/redisLimiter.js';
import type { AcquireRequest } from '../../core/limits/types.js';
import { useRateLimiterBackends } from '../support/rateLimiters.js';

const redisFixture = useRateLimiterBackends();

const call = (tokens = 10): AcquireRequest => ({ provider: 'openai', model: 'gpt-4o', requests: 1, tokens });

describe('rate limiter latency on Redis', () => {
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
