// The circuit breaker's two stores behave the same; the Redis one is shared by every worker.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { type HealthStore, InProcessHealthStore } from '../core/health/circuit.js';
import { RedisHealthStore } from '../core/health/redisCircuit.js';
import { type RunningRedis, startRedis } from '../scripts/redis.js';

let redis: RunningRedis;
const clients: Redis[] = [];
before(async () => {
  redis = await startRedis();
});
after(async () => {
  for (const client of clients) client.disconnect();
  await redis?.stop();
});

function redisStore(settings: { failureThreshold: number; cooldownMs: number }): RedisHealthStore {
  const client = new Redis(redis.url);
  clients.push(client);
  return new RedisHealthStore(client, settings);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let n = 0;

const stores: [string, (s: { failureThreshold: number; cooldownMs: number }) => HealthStore][] = [
  ['in-process', (s) => new InProcessHealthStore(s)],
  ['redis', (s) => redisStore(s)],
];

for (const [name, make] of stores) {
  describe(`${name} circuit store`, () => {
    it('opens after the threshold of consecutive failures, then half-opens after the cooldown', async () => {
      const store = make({ failureThreshold: 3, cooldownMs: 300 });
      const model = `m${n++}`;
      await store.recordFailure(model, 'ProviderServerError');
      await store.recordFailure(model, 'ProviderServerError');
      assert.equal((await store.state(model)).status, 'closed');
      await store.recordFailure(model, 'ProviderOverloadedError');
      const open = await store.state(model);
      assert.equal(open.status, 'open');
      assert.equal(open.consecutiveFailures, 3);
      assert.equal(open.lastErrorType, 'ProviderOverloadedError');
      await sleep(350);
      assert.equal((await store.state(model)).status, 'half_open');
      // A failed probe re-opens at once; a successful one closes.
      await store.recordFailure(model, 'ProviderServerError');
      assert.equal((await store.state(model)).status, 'open');
      await sleep(350);
      await store.recordSuccess(model);
      assert.deepEqual(await store.state(model), { model, status: 'closed', consecutiveFailures: 0 });
    });

    it('ignores failures that are about the request, not the model', async () => {
      const store = make({ failureThreshold: 1, cooldownMs: 1000 });
      const model = `m${n++}`;
      for (const type of [
        'RateLimitError',
        'BadRequestError',
        'ContextLengthExceededError',
        'ContentPolicyError',
      ]) {
        await store.recordFailure(model, type);
      }
      assert.equal((await store.state(model)).status, 'closed');
    });

    it('a success resets the count of consecutive failures', async () => {
      const store = make({ failureThreshold: 2, cooldownMs: 1000 });
      const model = `m${n++}`;
      await store.recordFailure(model, 'ProviderServerError');
      await store.recordSuccess(model);
      await store.recordFailure(model, 'ProviderServerError');
      assert.equal((await store.state(model)).status, 'closed');
      assert.ok((await store.all()).some((s) => s.model === model));
    });
  });
}

describe('redis circuit store across workers', () => {
  it('two workers’ failures add up, and both see the open circuit', async () => {
    const a = redisStore({ failureThreshold: 4, cooldownMs: 5000 });
    const b = redisStore({ failureThreshold: 4, cooldownMs: 5000 });
    const model = `shared${n++}`;
    await Promise.all([
      a.recordFailure(model, 'ProviderServerError'),
      b.recordFailure(model, 'ProviderServerError'),
      a.recordFailure(model, 'ProviderServerError'),
      b.recordFailure(model, 'ProviderServerError'),
    ]);
    assert.equal((await a.state(model)).status, 'open');
    assert.equal((await b.state(model)).status, 'open');
    assert.equal((await b.state(model)).consecutiveFailures, 4);
  });
});
