// Spend budgets under concurrency, the same on Redis (shared by workers) and in-process: admission
// reserves the most a request can cost, refuses past the limit with BudgetExceededError naming the
// budget and what is left, settles to the real cost, releases on failure, expires reservations of
// crashed requests, and is idempotent per request id. Also the per-request token budget.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createBudgetActivities } from '../activities/budget.js';
import type { ModelSpec } from '../common/catalog.js';
import { BudgetExceededError, failureType, isBudgetExceededError } from '../common/errors.js';
import type { PlannedModel } from '../common/plan.js';
import { InProcessReservationStore } from '../core/budget/memoryReservations.js';
import { RedisReservationStore } from '../core/budget/redisReservations.js';
import { SpendBudgets } from '../core/budget/spendBudgets.js';
import type { BudgetConfig, ReservationStore } from '../core/budget/types.js';
import { type RunningRedis, startRedis } from '../scripts/redis.js';

let server: RunningRedis;
let redis: Redis;
let second: Redis;
before(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  second = new Redis(server.url);
});
after(async () => {
  await Promise.all([redis?.quit(), second?.quit()]);
  await server?.stop();
});

/** Stores that see the same budgets: two Redis connections (two workers), or one process. */
const backends: { name: string; make: () => [ReservationStore, ReservationStore] }[] = [
  {
    name: 'redis',
    make: () => {
      const prefix = `test-${randomUUID()}`;
      return [new RedisReservationStore(redis, prefix), new RedisReservationStore(second, prefix)];
    },
  },
  {
    name: 'in-process',
    make: () => {
      const store = new InProcessReservationStore();
      return [store, store];
    },
  },
];

const config = (overrides: Partial<BudgetConfig> = {}): BudgetConfig => ({
  callers: { tenant: { dailyUsd: 1, monthlyUsd: 30 } },
  reservationTtlSeconds: 60,
  ...overrides,
});

async function refusal(promise: Promise<unknown>): Promise<BudgetExceededError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof BudgetExceededError, `expected BudgetExceededError, got ${String(error)}`);
  return error;
}

for (const backend of backends) {
  describe(`spend budgets on ${backend.name}`, () => {
    it('admits at most 10 of 50 concurrent requests when the budget fits 10, and refuses the rest', async () => {
      const [a, b] = backend.make();
      const first = new SpendBudgets(config(), a);
      const workers = [first, new SpendBudgets(config(), b)];
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          (workers[i % 2] as SpendBudgets).admit({ requestId: `r${i}`, caller: 'tenant', maxCostUsd: 0.1 }),
        ),
      );
      const admitted = results.filter((r) => r.status === 'fulfilled');
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      assert.equal(admitted.length, 10);
      assert.equal(refused.length, 40);
      for (const error of refused) {
        assert.ok(isBudgetExceededError(error));
        const failure = error as BudgetExceededError;
        assert.equal(failure.nonRetryable, true);
        assert.equal(failure.errorDetails.budget, 'caller:tenant:daily');
        assert.equal(failure.errorDetails.leftUsd, 0);
        assert.equal(failure.errorDetails.reservedUsd, 1);
        assert.equal(failure.errorDetails.requestedUsd, 0.1);
        assert.match(
          failure.message,
          /caller "tenant" daily budget \$1\.00 for \d{4}-\d{2}-\d{2} has \$0\.00 left/,
        );
      }
      const [daily, monthly] = await first.standing('tenant');
      assert.deepEqual(
        { budget: daily?.budget, reserved: daily?.reservedUsd, left: daily?.leftUsd },
        { budget: 'caller:tenant:daily', reserved: 1, left: 0 },
      );
      assert.equal(monthly?.reservedUsd, 1);
    });

    it('settles to the real cost and frees the rest of the reservation for others', async () => {
      const [store] = backend.make();
      const budgets = new SpendBudgets(config(), store);
      await budgets.admit({ requestId: 'big', caller: 'tenant', maxCostUsd: 0.9 });
      await refusal(budgets.admit({ requestId: 'blocked', caller: 'tenant', maxCostUsd: 0.2 }));
      const settled = await budgets.settle('big', 0.03);
      assert.deepEqual(
        {
          changed: settled.changed,
          state: settled.state,
          charged: settled.chargedUsd,
          released: settled.releasedUsd,
        },
        { changed: true, state: 'settled', charged: 0.03, released: 0.9 },
      );
      const [daily] = await budgets.standing('tenant');
      assert.deepEqual(
        { spent: daily?.spentUsd, reserved: daily?.reservedUsd, left: daily?.leftUsd },
        { spent: 0.03, reserved: 0, left: 0.97 },
      );
      await budgets.admit({ requestId: 'now-fits', caller: 'tenant', maxCostUsd: 0.9 });
      const error = await refusal(
        budgets.admit({ requestId: 'too-much', caller: 'tenant', maxCostUsd: 0.1 }),
      );
      assert.equal(error.errorDetails.leftUsd, 0.07);
      assert.equal(error.errorDetails.spentUsd, 0.03);
      assert.match(error.message, /\$0\.07 left \(\$0\.03 spent, \$0\.90 reserved/);
    });

    it('releases the reservation of a failed or cancelled request without a charge', async () => {
      const [store] = backend.make();
      const budgets = new SpendBudgets(config(), store);
      await budgets.admit({ requestId: 'fails', caller: 'tenant', maxCostUsd: 1 });
      const released = await budgets.release('fails');
      assert.equal(released.state, 'released');
      assert.equal(released.releasedUsd, 1);
      const [daily] = await budgets.standing('tenant');
      assert.deepEqual({ spent: daily?.spentUsd, reserved: daily?.reservedUsd }, { spent: 0, reserved: 0 });
      await budgets.admit({ requestId: 'next', caller: 'tenant', maxCostUsd: 1 });
    });

    it('reserves once for a retried admit and charges once for a repeated settle', async () => {
      const [a, b] = backend.make();
      const first = new SpendBudgets(config(), a);
      const retry = new SpendBudgets(config(), b);
      const admitted = await first.admit({ requestId: 'same', caller: 'tenant', maxCostUsd: 0.4 });
      const again = await retry.admit({ requestId: 'same', caller: 'tenant', maxCostUsd: 0.4 });
      assert.equal(admitted.existing, false);
      assert.equal(again.existing, true);
      assert.equal((await first.standing('tenant'))[0]?.reservedUsd, 0.4);
      const settled = await first.settle('same', 0.25);
      const repeated = await retry.settle('same', 0.25);
      const late = await retry.release('same');
      assert.equal(settled.changed, true);
      assert.equal(repeated.changed, false);
      assert.equal(repeated.chargedUsd, 0.25);
      assert.equal(late.changed, false);
      assert.equal(late.state, 'settled');
      const [daily] = await first.standing('tenant');
      assert.deepEqual(
        { spent: daily?.spentUsd, reserved: daily?.reservedUsd },
        { spent: 0.25, reserved: 0 },
      );
      // An admit retried after the settle does not reserve again either.
      assert.equal(
        (await retry.admit({ requestId: 'same', caller: 'tenant', maxCostUsd: 0.4 })).existing,
        true,
      );
      assert.equal((await first.standing('tenant'))[0]?.reservedUsd, 0);
    });

    it('lets the reservation of a request that never settles expire; a late settle still charges once', async () => {
      const [store] = backend.make();
      const budgets = new SpendBudgets(config({ reservationTtlSeconds: 1 }), store);
      await budgets.admit({ requestId: 'crashed', caller: 'tenant', maxCostUsd: 1 });
      await refusal(budgets.admit({ requestId: 'waiting', caller: 'tenant', maxCostUsd: 0.5 }));
      await sleep(1100);
      assert.equal((await budgets.standing('tenant'))[0]?.reservedUsd, 0);
      await budgets.admit({ requestId: 'after-expiry', caller: 'tenant', maxCostUsd: 0.5 });
      const late = await budgets.settle('crashed', 0.2);
      assert.deepEqual({ changed: late.changed, released: late.releasedUsd }, { changed: true, released: 0 });
      const [daily] = await budgets.standing('tenant');
      assert.deepEqual(
        { spent: daily?.spentUsd, reserved: daily?.reservedUsd },
        { spent: 0.2, reserved: 0.5 },
      );
    });

    it('counts every budget a request falls under: the month and the global budget too', async () => {
      const [store] = backend.make();
      const budgets = new SpendBudgets(
        config({ callers: { tenant: { dailyUsd: 10, monthlyUsd: 0.25 } }, global: { dailyUsd: 0.3 } }),
        store,
      );
      await budgets.admit({ requestId: 'm1', caller: 'tenant', maxCostUsd: 0.2 });
      const monthly = await refusal(budgets.admit({ requestId: 'm2', caller: 'tenant', maxCostUsd: 0.1 }));
      assert.equal(monthly.errorDetails.budget, 'caller:tenant:monthly');
      assert.equal(monthly.errorDetails.leftUsd, 0.05);
      assert.match(monthly.errorDetails.period as string, /^\d{4}-\d{2}$/);
      // Another caller (default limits: none here) still counts against the global budget.
      const global = await refusal(budgets.admit({ requestId: 'g1', caller: 'other', maxCostUsd: 0.15 }));
      assert.equal(global.errorDetails.budget, 'global:daily');
      assert.match(global.message, /^global daily budget \$0\.30/);
      await budgets.admit({ requestId: 'g2', caller: 'other', maxCostUsd: 0.1 });
    });

    it('adds costs exactly: 1,000 settles of $0.0000123 make $0.0123', async () => {
      const [store] = backend.make();
      const budgets = new SpendBudgets(config(), store);
      await Promise.all(
        Array.from({ length: 1000 }, async (_, i) => {
          await budgets.admit({ requestId: `tiny-${i}`, caller: 'tenant', maxCostUsd: 0.0001 });
          await budgets.settle(`tiny-${i}`, 0.0000123);
        }),
      );
      const [daily] = await budgets.standing('tenant');
      assert.equal(daily?.spentUsd, 0.0123);
      assert.equal(daily?.reservedUsd, 0);
    });
  });
}

describe('budget activities', () => {
  const model = (id: string): ModelSpec => ({
    id,
    provider: 'openai',
    providerModel: id,
    capabilities: [],
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    pricing: { inputPerMillion: 1, outputPerMillion: 4 },
    typicalLatencyMs: 500,
    tokenizer: 'o200k_base',
    structuredOutput: false,
  });
  const planned = (id: string, promptTokens: number, estimatedCostUsd: number): PlannedModel => ({
    model: model(id),
    role: 'preferred',
    promptTokens,
    estimatedCostUsd,
  });

  it('refuse a request whose prompt and output cap exceed the task token budget, before any call', async () => {
    const { admitRequest } = createBudgetActivities({
      budgets: new SpendBudgets(config(), new InProcessReservationStore()),
    });
    const error = await refusal(
      admitRequest({
        requestId: 'long',
        caller: 'tenant',
        plan: {
          taskType: 'general_qa',
          tokenBudget: 16_000,
          maxOutputTokens: 4096,
          models: [planned('gpt-4o-mini', 12_500, 0.01), planned('claude-haiku-4-5', 12_600, 0.02)],
        },
      }),
    );
    assert.equal(failureType(error), 'BudgetExceededError');
    assert.equal(error.errorDetails.budget, 'task:general_qa:tokens-per-request');
    assert.equal(error.errorDetails.leftTokens, 3500);
    assert.match(error.message, /allows 16000 tokens per request.*leaves 3500 for output/);
  });

  it('reserve the costliest planned call, and settle and release by request id', async () => {
    const budgets = new SpendBudgets(config(), new InProcessReservationStore());
    const { admitRequest, settleRequest, releaseRequest } = createBudgetActivities({ budgets });
    const plan = {
      taskType: 'general_qa',
      tokenBudget: 16_000,
      maxOutputTokens: 1024,
      models: [planned('gpt-4o-mini', 100, 0.02), planned('gpt-4o', 100, 0.3)],
    };
    const admission = await admitRequest({ requestId: 'a1', caller: 'tenant', plan });
    assert.equal(admission.reservedUsd, 0.3);
    assert.deepEqual(
      admission.budgets.map((b) => b.split(' ')[0]),
      ['caller:tenant:daily', 'caller:tenant:monthly'],
    );
    assert.equal((await settleRequest({ requestId: 'a1', costUsd: 0.01 })).chargedUsd, 0.01);
    await admitRequest({ requestId: 'a2', caller: 'tenant', plan });
    assert.equal((await releaseRequest({ requestId: 'a2' })).state, 'released');
    const [daily] = await budgets.standing('tenant');
    assert.deepEqual({ spent: daily?.spentUsd, reserved: daily?.reservedUsd }, { spent: 0.01, reserved: 0 });
  });
});
