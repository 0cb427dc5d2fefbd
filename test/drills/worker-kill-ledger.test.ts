// Failure drill with the usage ledger in Redis: kill -9 the worker process while provider calls are
// in flight, start another, and check that the ledger counts exactly the calls the provider answered.
//
// The emulator logs the calls cut off by the kill as aborted; those never reached the code that
// records usage. Every answered call must be in the ledger once, under the key of the activity
// attempt that made it (`<workflow id>/<activity id>/<attempt>`); each request's ledger totals must
// equal its result's usage and cost; and the ledger's totals must equal the emulator's token counts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { type RequestRecord, timedRequest } from '../../bench/loadgen.js';
import { startWorkerProcess, type WorkerProcess } from '../../bench/workerProcess.js';
import type { LlmRequest } from '../../common/request.js';
import { projectRoot } from '../../config/paths.js';
import { RedisUsageLedger } from '../../core/usage/redisLedger.js';
import { type RunningRedis, startRedis } from '../../scripts/redis.js';
import { type Harness, requestId, startHarness } from '../support/harness.js';
import { until } from '../support/wait.js';

const REQUESTS = 16;
/** Long enough that every call is still held when the last one arrives, even on a slow machine. */
const HOLD_MS = 60_000;
/** The worker's ledger: the default key prefix of core/costControls.ts. */
const USAGE_PREFIX = 'llm:usage';

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

function startWorker(): Promise<WorkerProcess> {
  return startWorkerProcess({
    address: h.env.address,
    taskQueue: h.taskQueue,
    emulatorUrl: h.emulator.url,
    env: { REDIS_URL: server.url },
  });
}

/** One counted call, from its ledger key `<prefix>:call:<workflow id>/<activity id>/<attempt>`. */
interface LedgerCall {
  workflowId: string;
  activityId: string;
  attempt: number;
}

async function ledgerCalls(): Promise<LedgerCall[]> {
  const head = `${USAGE_PREFIX}:call:`;
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match: `${head}*`, count: 1000 }))
    keys.push(...(batch as string[]));
  return keys.map((key) => {
    const parts = key.slice(head.length).split('/');
    const attempt = Number(parts.pop());
    const activityId = parts.pop() ?? '';
    return { workflowId: parts.join('/'), activityId, attempt };
  });
}

/** Dollars as the ledger keeps them: integer units of 1e-8. */
const units = (usd: number | undefined): number => Math.round((usd ?? Number.NaN) * 1e8);

it('kill -9 mid-call with the ledger in Redis: each answered call counted once, totals agree', async () => {
  const first = await startWorker();
  workers.push(first);
  h.emulator.setLatency({ holdMs: HOLD_MS });
  const requests: LlmRequest[] = Array.from({ length: REQUESTS }, (_, i) => ({
    requestId: requestId(`ledger-kill-${i}`),
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question: `Question ${i}: who pays for a call cut off by a crash?` },
    model: 'gpt-4o-mini',
    cache: 'off',
  }));
  const settled: Promise<RequestRecord>[] = requests.map((r, i) => timedRequest(h.client, r, i));

  const pending = (): number => h.emulator.calls().filter((c) => c.status === 'pending').length;
  await until(() => pending() === REQUESTS, 45_000, `${REQUESTS} provider calls in flight`);
  first.kill('SIGKILL');
  assert.equal(await first.exited, 'SIGKILL');
  await until(() => pending() === 0, 5000, 'the emulator to notice the dropped connections');
  h.emulator.setLatency({ holdMs: 200 });
  workers.push(await startWorker());

  const records = await Promise.all(settled);
  const completed = records.filter((r) => r.status === 'success');
  const calls = h.emulator.calls();
  const answered = calls.filter((c) => c.status === 200);
  const aborted = calls.filter((c) => c.status === 'aborted');
  const counted = await ledgerCalls();
  const perActivity = new Set(counted.map((c) => `${c.workflowId}/${c.activityId}`));
  const duplicates = counted.length - answered.length;
  const ledger = new RedisUsageLedger(redis, { prefix: USAGE_PREFIX });
  const [byModel] = await ledger.totals({ by: 'model' });
  const emulatorTokens = {
    input: answered.reduce((sum, c) => sum + (c.inputTokens ?? 0), 0),
    output: answered.reduce((sum, c) => sum + (c.outputTokens ?? 0), 0),
  };
  const resultsCost = completed.reduce((sum, r) => sum + units(r.result?.costUsd), 0) / 1e8;
  console.log(
    `drill worker-kill ledger: requests sent ${REQUESTS}, completed ${completed.length}, failed ${records.length - completed.length}, duplicates: ${duplicates}; ` +
      `ledger calls ${counted.length} (attempts ${JSON.stringify(countBy(counted.map((c) => c.attempt)))}), emulator answered ${answered.length}, aborted by the kill ${aborted.length}; ` +
      `tokens in/out ledger ${byModel?.inputTokens}/${byModel?.outputTokens}, emulator ${emulatorTokens.input}/${emulatorTokens.output}; ` +
      `cost ledger $${byModel?.costUsd}, results $${resultsCost}`,
  );

  assert.deepEqual(
    records.filter((r) => r.status === 'error').map((r) => `${r.requestId}: ${r.errorType}: ${r.error}`),
    [],
  );
  assert.equal(aborted.length, REQUESTS, 'every call in flight was cut off by the kill');
  assert.equal(answered.length, REQUESTS, 'one answered provider call per request');
  assert.equal(duplicates, 0, 'the ledger counts exactly the calls the provider answered');
  assert.equal(perActivity.size, counted.length, 'one counted attempt per activity');

  for (const record of completed) {
    const result = record.result;
    assert.ok(result);
    // The first model's calls run in the request's own workflow (the fast path), fallbacks' in children.
    const own = counted.filter(
      (c) => c.workflowId === record.requestId || c.workflowId.startsWith(`${record.requestId}/`),
    );
    const success = result.attempts.filter((a) => a.outcome === 'success');
    assert.equal(own.length, 1, `${record.requestId}: one counted call`);
    assert.equal(success.length, 1, `${record.requestId}: one successful call in attempts`);
    // The call cut off by the kill was attempt 1 and counted nothing; the retry that answered counts.
    assert.equal(
      own[0]?.attempt,
      success[0]?.try,
      `${record.requestId}: counted under the answering attempt`,
    );
    assert.equal(own[0]?.attempt, 2, `${record.requestId}: answered on the retry after the crash`);
    const totals = await ledger.requestTotals(record.requestId);
    assert.deepEqual(
      totals && {
        calls: totals.calls,
        inputTokens: totals.inputTokens,
        outputTokens: totals.outputTokens,
        cachedInputTokens: totals.cachedInputTokens,
        costUnits: units(totals.costUsd),
      },
      {
        calls: own.length,
        inputTokens: result.usage.inputTokens,
        outputTokens: result.usage.outputTokens,
        cachedInputTokens: result.usage.cachedInputTokens ?? 0,
        costUnits: units(result.costUsd),
      },
      `${record.requestId}: the ledger's totals are the result's usage and cost`,
    );
  }

  assert.equal(byModel?.key, 'gpt-4o-mini');
  assert.equal(byModel?.calls, answered.length);
  assert.equal(byModel?.inputTokens, emulatorTokens.input, "the ledger's input tokens are the emulator's");
  assert.equal(byModel?.outputTokens, emulatorTokens.output, "the ledger's output tokens are the emulator's");
  assert.equal(units(byModel?.costUsd), units(resultsCost), "the ledger's cost is the results' cost");

  // What an operator sees: `llm-orchestrator usage --by model --json` reads the same ledger.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(projectRoot, 'bin/llm-orchestrator.js'), 'usage', '--by', 'model', '--json'],
    { env: { ...process.env, REDIS_URL: server.url } },
  );
  const report = JSON.parse(stdout) as { total: { calls: number; inputTokens: number; costUsd: number } };
  assert.deepEqual(
    [report.total.calls, report.total.inputTokens, units(report.total.costUsd)],
    [answered.length, emulatorTokens.input, units(resultsCost)],
  );
});

function countBy(values: number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
