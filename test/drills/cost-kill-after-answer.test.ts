// Failure drill: a worker killed -9 after the provider answered (and the ledger counted the call) but
// before the activity completed. The provider billed two calls, the retry's and the lost one's; the
// ledger counts two; the request's result must report both, with the lost one in `attempts`.
//
// The worker process holds each answered call (LLM_DRILL_HOLD_AFTER_ANSWER_MS) so the kill lands in
// that window; the drill waits until the ledger in Redis has counted every call before killing.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Redis } from 'ioredis';
import { startWorkerProcess, type WorkerProcess } from '../../bench/workerProcess.js';
import { ANSWER_LOST } from '../../common/attempts.js';
import { costUnits } from '../../common/catalog.js';
import type { LlmRequest, LlmResult } from '../../common/request.js';
import { loadModelCatalog } from '../../config/load.js';
import { RedisUsageLedger } from '../../core/usage/redisLedger.js';
import { type RunningRedis, startRedis } from '../../scripts/redis.js';
import { type Harness, requestId, startHarness } from '../support/harness.js';

const REQUESTS = 3;
/** The worker's ledger: the default key prefix of core/costControls.ts. */
const USAGE_PREFIX = 'llm:usage';
const units = (usd: number): number => Math.round(usd * 1e8);

let h: Harness;
let server: RunningRedis;
let redis: Redis;
const workers: WorkerProcess[] = [];
before(async () => {
  [server, h] = await Promise.all([startRedis(), startHarness({ worker: false })]);
  redis = new Redis(server.url);
});
after(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await Promise.allSettled(workers.map((w) => w.exited));
  await h?.stop();
  await redis?.quit();
  await server?.stop();
});

function startWorker(env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  return startWorkerProcess({
    address: h.env.address,
    taskQueue: h.taskQueue,
    emulatorUrl: h.emulator.url,
    env: { REDIS_URL: server.url, ...env },
  });
}

async function countedCalls(): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match: `${USAGE_PREFIX}:call:*`, count: 1000 }))
    keys.push(...(batch as string[]));
  return keys;
}

it('kill -9 after the provider answered: result = ledger = the provider’s two calls per request', async () => {
  h.emulator.setUsage({ model: 'gpt-4o-mini', cacheReadTokens: 1024 });
  const first = await startWorker({ LLM_DRILL_HOLD_AFTER_ANSWER_MS: '120000' });
  workers.push(first);
  const requests: LlmRequest[] = Array.from({ length: REQUESTS }, (_, i) => ({
    requestId: requestId(`answer-lost-${i}`),
    taskType: 'general_qa',
    templateId: 'chat',
    variables: {},
    messages: [{ role: 'user', content: `Question ${i}: who pays for an answer lost with its worker?` }],
    model: 'gpt-4o-mini',
    fallbackModels: [],
    cache: 'off',
  }));
  const settled = requests.map((r) => h.client.process(r));

  // Every call answered by the provider and counted by the ledger, none completed: kill now.
  const deadline = Date.now() + 60_000;
  while ((await countedCalls()).length < REQUESTS) {
    assert.ok(Date.now() < deadline, 'timed out waiting for the ledger to count every call');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(h.emulator.calls().filter((c) => c.status === 200).length, REQUESTS);
  first.kill('SIGKILL');
  assert.equal(await first.exited, 'SIGKILL');
  workers.push(await startWorker());

  const results: LlmResult[] = await Promise.all(settled);
  const calls = h.emulator.calls().filter((c) => c.status === 200);
  const ledger = new RedisUsageLedger(redis, { prefix: USAGE_PREFIX });
  const pricing = loadModelCatalog().models['gpt-4o-mini']?.pricing;
  assert.ok(pricing);
  console.log(
    `drill answer lost: requests ${REQUESTS}, provider calls answered ${calls.length}, ledger calls ${(await countedCalls()).length}, ` +
      `results' calls ${results.reduce((n, r) => n + r.attempts.filter((a) => a.usage).length, 0)}`,
  );
  assert.equal(calls.length, 2 * REQUESTS, 'the provider answered (and billed) two calls per request');
  assert.equal((await countedCalls()).length, 2 * REQUESTS, 'the ledger counted both');

  for (const result of results) {
    const billed = result.attempts.filter((a) => a.usage);
    assert.deepEqual(
      result.attempts.map((a) => [a.outcome, a.errorType ?? null, a.try]),
      [
        ['failed', ANSWER_LOST, 1],
        ['success', null, 2],
      ],
      `${result.requestId}: attempts show the lost call and the retry`,
    );
    assert.deepEqual(billed[0]?.usage, billed[1]?.usage, 'the same prompt billed twice');
    const one = billed[1]?.usage;
    assert.ok(one);
    assert.equal(result.usage.inputTokens, 2 * one.inputTokens);
    assert.equal(result.usage.outputTokens, 2 * one.outputTokens);
    assert.equal(result.usage.cachedInputTokens, 2 * 1024);
    assert.equal(units(result.costUsd), 2 * costUnits(pricing, one));
    const totals = await ledger.requestTotals(result.requestId);
    assert.deepEqual(
      totals && [
        totals.calls,
        totals.inputTokens,
        totals.outputTokens,
        totals.cachedInputTokens,
        units(totals.costUsd),
      ],
      [
        2,
        result.usage.inputTokens,
        result.usage.outputTokens,
        result.usage.cachedInputTokens,
        units(result.costUsd),
      ],
      `${result.requestId}: the ledger's entries are the result's usage and cost`,
    );
  }
  // And what the provider reported for all of them adds up to the results.
  const reported = calls.reduce((n, c) => n + Number(c.usage?.prompt_tokens ?? 0), 0);
  assert.equal(
    results.reduce((n, r) => n + r.usage.inputTokens, 0),
    reported,
  );
});
