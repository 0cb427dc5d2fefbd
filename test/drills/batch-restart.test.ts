// Failure drill for half-price batches: with two provider batches in flight (OpenAI's and Anthropic's,
// held in progress by the emulator), kill -9 the worker, stop the Temporal server and start it again
// on the same database, then start a new worker and let the batches end. Each batch is polled to its
// end by the new worker, every request completes from its batch line, and the ledger (in Redis)
// counts each answered line once, at the batch price: no batch submitted twice, no call billed twice.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Redis } from 'ioredis';
import { type RequestRecord, timedRequest } from '../../bench/loadgen.js';
import { startWorkerProcess, type WorkerProcess } from '../../bench/workerProcess.js';
import { OrchestratorClient } from '../../client/client.js';
import { RedisUsageLedger } from '../../core/usage/redisLedger.js';
import { createEmulator, type Emulator } from '../../emulator/server.js';
import { startDevServer } from '../../scripts/devServer.js';
import { freePort } from '../../scripts/freePort.js';
import { type RunningRedis, startRedis } from '../../scripts/redis.js';
import { collectorStatusQuery, providerBatchStatusQuery } from '../../workflows/batchDefinitions.js';
import { until } from '../support/wait.js';

const PER_MODEL = 20;
const MODELS = ['gpt-4o-mini', 'claude-haiku-4-5'] as const;
/** The worker's ledger: the default key prefix of core/costControls.ts. */
const USAGE_PREFIX = 'llm:usage';

let dir: string;
let server: TestWorkflowEnvironment | undefined;
let emulator: Emulator;
let redisServer: RunningRedis;
let redis: Redis;
let connection: Connection | undefined;
const workers: WorkerProcess[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'drill-batch-'));
  [emulator, redisServer] = await Promise.all([createEmulator(), startRedis()]);
  redis = new Redis(redisServer.url);
});
after(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await Promise.allSettled(workers.map((w) => w.exited));
  await connection?.close();
  await server?.teardown();
  await emulator?.close();
  await redis?.quit();
  await redisServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('kill -9 of the worker and a server restart with two batches in flight: every request completes once', async () => {
  const port = await freePort();
  const dbFilename = join(dir, 'temporal.db');
  server = await startDevServer({ dbFilename, port });
  const address = server.address;
  const taskQueue = `drill-batch-${randomUUID()}`;
  const startWorker = (): Promise<WorkerProcess> =>
    startWorkerProcess({
      address,
      taskQueue,
      emulatorUrl: emulator.url,
      env: {
        REDIS_URL: redisServer.url,
        // One batch per model of exactly PER_MODEL items; quick polls.
        LLM_BATCH_MAX_ITEMS: String(PER_MODEL),
        LLM_BATCH_MAX_WAIT_MS: String(10 * 60_000),
        LLM_BATCH_POLL_INITIAL_MS: '300',
        LLM_BATCH_POLL_MAX_MS: '1000',
      },
    });
  workers.push(await startWorker());
  connection = await Connection.connect({ address });
  const client = new OrchestratorClient({ client: new Client({ connection }), taskQueue });

  // The batches stay in progress until the drill lets them end.
  emulator.setBatchControls({ processingMs: 100, holdBatches: true });
  const settled: Promise<RequestRecord>[] = MODELS.flatMap((model) =>
    Array.from({ length: PER_MODEL }, (_, i) =>
      timedRequest(client, {
        requestId: `drill-batch-${randomUUID().slice(0, 8)}-${i}`,
        taskType: 'general_qa',
        templateId: 'chat',
        variables: {},
        model,
        fallbackModels: [],
        cache: 'off',
        urgency: 'batch',
        messages: [{ role: 'user', content: `Question ${i} for ${model}: what survives a crash?` }],
      }),
    ),
  );
  await until(() => emulator.batches().length === MODELS.length, 90_000, 'both provider batches submitted');
  // In flight: each providerBatch workflow has its batch id and has polled it at least once.
  const temporal = new Client({ connection });
  const polling = async (model: string): Promise<boolean> => {
    const provider = model.startsWith('gpt') ? 'openai' : 'anthropic';
    const collector = temporal.workflow.getHandle(`batch-collector/${taskQueue}/${provider}/${model}`);
    const [batchWorkflow] = (await collector.query(collectorStatusQuery)).recentBatches;
    if (!batchWorkflow) return false;
    const status = await temporal.workflow.getHandle(batchWorkflow).query(providerBatchStatusQuery);
    return status.stage === 'polling' && status.polls > 0;
  };
  for (const model of MODELS)
    for (let deadline = Date.now() + 90_000; !(await polling(model)); ) {
      assert.ok(Date.now() < deadline, `${model}'s batch never polled`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  assert.ok(emulator.batches().every((b) => b.phase !== 'ended' && b.lines === PER_MODEL));

  const first = workers[0] as WorkerProcess;
  first.kill('SIGKILL');
  assert.equal(await first.exited, 'SIGKILL');
  await server.teardown();
  server = await startDevServer({ dbFilename, port });
  workers.push(await startWorker());
  emulator.setBatchControls({ holdBatches: false });

  const records = await Promise.all(settled);
  const completed = records.filter((r) => r.status === 'success');
  const batches = emulator.batches();
  const calls = emulator.calls();
  const ledger = new RedisUsageLedger(redis, { prefix: USAGE_PREFIX });
  const totals = await ledger.totals({ by: 'model' });
  console.log(
    `drill batch-restart: requests sent ${records.length}, completed ${completed.length}, failed ${records.length - completed.length}; ` +
      `provider batches ${batches.length} (${batches.map((b) => `${b.provider} ${b.lines} lines ${b.ending}`).join(', ')}); ` +
      `emulator calls ${calls.length}; ledger calls ${totals.map((t) => `${t.key} ${t.calls} $${t.costUsd}`).join(', ')}`,
  );
  assert.deepEqual(
    records.filter((r) => r.status === 'error').map((r) => `${r.requestId}: ${r.errorType}: ${r.error}`),
    [],
  );
  // Two batches, submitted once each despite the crash, both polled to their end.
  assert.deepEqual(batches.map((b) => [b.provider, b.lines, b.ending]).sort(), [
    ['anthropic', PER_MODEL, 'completed'],
    ['openai', PER_MODEL, 'completed'],
  ]);
  assert.equal(calls.length, MODELS.length * PER_MODEL, 'one answered line per request, no ordinary call');
  for (const record of completed) {
    const result = record.result;
    assert.ok(result);
    assert.equal(result.attempts.length, 1, `${record.requestId}: answered by its batch line alone`);
    assert.equal(result.attempts[0]?.usage?.serviceTier, 'batch');
    const own = await ledger.requestTotals(record.requestId);
    assert.equal(own?.calls, 1, `${record.requestId}: one ledger entry`);
    assert.equal(own?.costUsd, result.costUsd, `${record.requestId}: the ledger's cost is the result's`);
  }
  assert.deepEqual(totals.map((t) => t.calls).sort(), [PER_MODEL, PER_MODEL]);
});
