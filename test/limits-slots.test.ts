// Holders' slots in the rate limiter, the same on Redis and in-process: callers that name themselves
// (one provider call across its retries) and must wait get slots in order, so a burst is refused once
// each instead of racing for every token; and however late holders come back, no more is granted at
// once than the bucket holds. Both run on a test clock, so every wait is checked exactly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AcquireRequest,
  type RateLimitConfig,
  type RateLimitDecision,
  RESERVED_SLOT,
  slotRequest,
} from '../core/limits/types.js';
import { testClock } from './support/clock.js';
import { useRateLimiterBackends } from './support/rateLimiters.js';

const redisFixture = useRateLimiterBackends();
const { backends } = redisFixture;

/** 10 requests a second (a slot every 100 ms), `burst` at once. */
const tenPerSecond = (burst: number): RateLimitConfig => ({
  providers: {},
  models: { 'gpt-4o': { requestsPerMinute: 600, burstFraction: burst / 600 } },
});

const ask = (holder?: string, maxWaitMs?: number): AcquireRequest => ({
  provider: 'openai',
  model: 'gpt-4o',
  tokens: 1,
  ...(holder ? { holder } : {}),
  ...(maxWaitMs !== undefined ? { maxWaitMs } : {}),
});

function refused(decision: RateLimitDecision): Extract<RateLimitDecision, { granted: false }> {
  assert.ok(!decision.granted, 'expected a refusal');
  return decision;
}

for (const backend of backends) {
  describe(`slots on ${backend.name}`, () => {
    it('queues a burst of holders in order, one slot per 100 ms, and grants each at its slot', async () => {
      const clock = testClock();
      const limiter = backend.make(tenPerSecond(2), clock.now);
      const decisions = [];
      for (let i = 0; i < 6; i++) decisions.push(await limiter.tryAcquire(ask(`h${i}`)));
      assert.deepEqual(decisions.slice(0, 2), [{ granted: true }, { granted: true }]);
      const waits = decisions.slice(2).map((d) => refused(d));
      assert.ok(waits.every((d) => d.reserved && d.limit === 'model:gpt-4o:requests'));
      // Each slot 100 ms after the one before: a queue, not one shared wake-up time.
      assert.deepEqual(
        waits.map((d) => d.waitMs),
        [100, 200, 300, 400],
      );
      // Someone without a slot waits behind all of them.
      const outsider = refused(await limiter.tryAcquire(ask()));
      assert.equal(outsider.reserved, false);
      assert.equal(outsider.waitMs, 500);

      // Asking early: told the rest of the wait, and the slot is still its own.
      clock.advance(50);
      const early = refused(await limiter.tryAcquire(ask('h5')));
      assert.equal(early.limit, RESERVED_SLOT);
      assert.equal(early.reserved, true);
      assert.equal(early.waitMs, 350);

      // At each slot its holder is granted, and only its holder: the next one is still told to wait.
      for (let i = 2; i < 6; i++) {
        clock.advance(i === 2 ? 50 : 100);
        assert.deepEqual(await limiter.tryAcquire(ask(`h${i}`)), { granted: true }, `h${i} at its slot`);
        if (i < 5) assert.equal(refused(await limiter.tryAcquire(ask(`h${i + 1}`))).waitMs, 100);
      }
    });

    it('holders coming back late together get no more than the bucket holds; the rest queue again', async () => {
      const clock = testClock();
      const limiter = backend.make(tenPerSecond(1), clock.now);
      assert.equal((await limiter.tryAcquire(ask('late0'))).granted, true);
      for (let i = 1; i <= 4; i++) assert.ok(refused(await limiter.tryAcquire(ask(`late${i}`))).reserved);
      // Every slot has come and gone; the bucket is full again, and it holds 1.
      clock.advance(700);
      const back = await Promise.all([1, 2, 3, 4].map((i) => limiter.tryAcquire(ask(`late${i}`))));
      assert.equal(back.filter((d) => d.granted).length, 1, 'one call, not four at once');
      const again = back.filter((d) => !d.granted).map((d) => refused(d));
      assert.ok(
        again.every((d) => d.reserved),
        'the others keep a place',
      );
      // They queue again one slot apart: 100, 200 and 300 ms from now.
      assert.deepEqual(
        again.map((d) => d.waitMs).sort((a, b) => a - b),
        [100, 200, 300],
      );
    });

    it('gives no slot beyond the longest useful wait, and takes nothing for it', async () => {
      const clock = testClock();
      const limiter = backend.make(tenPerSecond(1), clock.now);
      assert.equal((await limiter.tryAcquire(ask('a'))).granted, true);
      const tooLong = refused(await limiter.tryAcquire(ask('b', 50)));
      assert.equal(tooLong.reserved, false);
      // 'b' took no slot: 'c' gets the first one.
      const next = refused(await limiter.tryAcquire(ask('c')));
      assert.equal(next.reserved, true);
      assert.equal(next.waitMs, 100);
    });
  });
}

describe('slotRequest', () => {
  it('names the activity across retries and offers a slot only within its schedule-to-close time', () => {
    const info = {
      workflowExecution: { workflowId: 'req-1/1-gpt-4o', runId: 'run-9' },
      activityId: '3',
      scheduledTimestampMs: 1_000_000,
      scheduleToCloseTimeoutMs: 60_000,
    };
    assert.deepEqual(slotRequest(info, 1_010_000), { holder: 'req-1/1-gpt-4o/run-9/3', maxWaitMs: 50_000 });
    assert.deepEqual(slotRequest({ ...info, scheduleToCloseTimeoutMs: 0 }, 1_010_000), {
      holder: 'req-1/1-gpt-4o/run-9/3',
    });
    assert.deepEqual(slotRequest({ ...info, workflowExecution: undefined }), {});
  });
});
