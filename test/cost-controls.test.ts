import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { failureType, rootFailure } from '../common/errors.js';
import type { LlmRequest } from '../common/request.js';
import { type CostControls, createBackend } from '../core/backend.js';
import { type RunningRedis, startRedis } from '../scripts/redis.js';
import { type Harness, requestId, startHarness } from './support/harness.js';
import { names, steps } from './support/history.js';

let h: Harness;
let server: RunningRedis;
let redis: Redis;
let controls: CostControls;
before(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  h = await startHarness({ worker: false });
  controls = createBackend({
    redis,
    prefix: `t-${randomUUID()}`,
    limits: {
      providers: {},
      models: { 'claude-haiku-4-5': { requestsPerMinute: 60, burstFraction: 1 / 60 } },
    },
    budgets: {
      callers: { poor: { dailyUsd: 0.000001 }, tester: { dailyUsd: 10 } },
      reservationTtlSeconds: 60,
    },
    cache: {
      embeddingModel: 'text-embedding-3-small',
      lru: { maxEntries: 100, maxBytes: 1e6 },
      semantic: {},
    },
  }).costControls;
  await h.startWorker({ costControls: controls });
});
after(async () => {
  await h?.stop();
  await redis?.quit();
  await server?.stop();
});

const qa = (label: string, extra: Partial<LlmRequest> = {}): LlmRequest => ({
  requestId: requestId(label),
  taskType: 'general_qa',
  templateId: 'general_qa',
  // 1.1 has A/B variants chosen per request: a different variant is a different prompt (a miss).
  templateVersion: '1.0',
  variables: { question: `What is a durable workflow? (${label})` },
  model: 'gpt-4o-mini',
  caller: 'tester',
  ...extra,
});

describe('wired', () => {
  it('second identical request is a cache hit without a provider call; usage counted once', async () => {
    const first = await h.client.process(qa('cache'));
    const calls = h.emulator.calls().length;
    const second = await h.client.process({ ...qa('cache'), requestId: requestId('cache2') });
    assert.equal(first.cached, false);
    assert.equal(second.cached, true);
    assert.equal(second.text, first.text);
    assert.equal(second.cacheHit?.kind, 'exact');
    assert.ok((second.cacheHit?.ageMs ?? -1) >= 0);
    assert.equal(second.costUsd, 0);
    assert.equal(h.emulator.calls().length, calls);
    const parent = await steps(h.env.client, second.requestId);
    assert.deepEqual(names(parent, 'child'), []);
    const totals = await controls.usage.requestTotals(first.requestId);
    assert.equal(totals?.calls, 1);
    assert.equal(totals?.inputTokens, first.usage.inputTokens);
    assert.equal(totals?.costUsd, first.costUsd);
    const off = await h.client.process({ ...qa('cache'), requestId: requestId('cache3'), cache: 'off' });
    assert.equal(off.cached, false);
    console.log(
      'parent steps',
      JSON.stringify(names(await steps(h.env.client, first.requestId), 'localActivity')),
    );
  });

  it('refuses over budget before any provider call', async () => {
    const calls = h.emulator.calls().length;
    const error = await h.client.process(qa('poor', { caller: 'poor' })).catch((e: unknown) => e);
    assert.equal(failureType(error), 'BudgetExceededError');
    console.log(rootFailure(error)?.message);
    assert.equal(h.emulator.calls().length, calls);
  });

  it('waits through Temporal when over the local rate limit', async () => {
    const started = Date.now();
    const [a, b] = await Promise.all([
      h.client.process(qa('rl1', { model: 'claude-haiku-4-5', cache: 'off' })),
      h.client.process(qa('rl2', { model: 'claude-haiku-4-5', cache: 'off' })),
    ]);
    const took = Date.now() - started;
    console.log(
      'two calls 1/s took',
      took,
      'tries',
      a.attempts.map((x) => x.try),
      b.attempts.map((x) => x.try),
    );
    assert.ok(took >= 900);
    const byModel = await controls.usage.totals({ by: 'model' });
    console.log(JSON.stringify(byModel));
    const [daily] = await controls.budgets.standing('tester');
    console.log(JSON.stringify(daily));
    assert.equal(daily?.reservedUsd, 0);
    const spent = byModel.reduce((sum, r) => sum + r.costUsd, 0);
    assert.ok(
      Math.abs((daily?.spentUsd ?? 0) - spent) < 1e-9,
      `budget spent ${daily?.spentUsd} vs ledger ${spent}`,
    );
  });
});
