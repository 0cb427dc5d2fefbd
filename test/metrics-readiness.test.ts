// The worker's HTTP endpoint against real dependencies: /health answers while the process is up;
// /health/ready answers 200 only while Temporal answers, the worker runs and Redis answers PING,
// and 503 naming the check that failed when one of them goes away.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { startDevServer } from '../scripts/devServer.js';
import { type RunningRedis, startRedis } from '../scripts/redis.js';
import { workerReadiness } from '../workers/health.js';
import { HTTP_ROUTES, startWorkerHttpServer, type WorkerHttpServer } from '../workers/http.js';
import { OrchestratorMetrics } from '../workers/metrics.js';

let env: TestWorkflowEnvironment;
let redisServer: RunningRedis;
let redis: Redis;
let worker: Worker;
let running: Promise<void>;
let http: WorkerHttpServer;
let serverDown = false;

before(async () => {
  [env, redisServer] = await Promise.all([startDevServer(), startRedis()]);
  redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {}); // reconnect attempts after the server is stopped are expected here
  // Any real worker will do: readiness reads its state, not what it registers.
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'readiness',
    activities: { noop: async () => {} },
  });
  running = worker.run();
  http = await startWorkerHttpServer({
    port: 0,
    host: '127.0.0.1',
    metrics: new OrchestratorMetrics(),
    readiness: workerReadiness({
      connection: env.nativeConnection,
      workers: [worker],
      redis,
      timeoutMs: 1000,
    }),
  });
});
after(async () => {
  await http?.close();
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  redis?.disconnect();
  await redisServer?.stop();
  if (!serverDown) await env?.teardown();
});

interface ReadyBody {
  status: string;
  failed: string[];
  checks: { name: string; ok: boolean; detail: string }[];
}

async function ready(): Promise<{ status: number; body: ReadyBody }> {
  const response = await fetch(`${http.url}${HTTP_ROUTES.readiness}`);
  return { status: response.status, body: (await response.json()) as ReadyBody };
}

describe('worker HTTP endpoint', () => {
  it('is live and ready while Temporal, the worker and Redis all answer; serves the metrics', async () => {
    const live = await fetch(`${http.url}${HTTP_ROUTES.liveness}`);
    assert.equal(live.status, 200);
    assert.deepEqual(await live.json(), { status: 'ok' });
    const { status, body } = await ready();
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(
      body.checks.map((c) => [c.name, c.ok]),
      [
        ['temporal', true],
        ['worker', true],
        ['redis', true],
      ],
    );
    const metrics = await fetch(`${http.url}${HTTP_ROUTES.metrics}`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /^# TYPE llm_requests_total counter$/m);
  });

  it('is not ready once Redis stops answering, and says so', async () => {
    await redisServer.stop();
    const { status, body } = await ready();
    assert.equal(status, 503);
    assert.deepEqual(body.failed, ['redis']);
    assert.equal(body.status, 'unavailable');
  });

  it('is not ready once the worker has stopped', async () => {
    worker.shutdown();
    await running;
    const { status, body } = await ready();
    assert.equal(status, 503);
    assert.ok(body.failed.includes('worker'), JSON.stringify(body));
    assert.match(body.checks.find((c) => c.name === 'worker')?.detail ?? '', /STOPPED/);
  });

  it('is not ready once Temporal is gone, within the check timeout, and is still live', async () => {
    await env.teardown();
    serverDown = true;
    const started = Date.now();
    const { status, body } = await ready();
    assert.equal(status, 503);
    assert.ok(body.failed.includes('temporal'), JSON.stringify(body));
    assert.ok(Date.now() - started < 3000, `answered in ${Date.now() - started} ms`);
    assert.equal((await fetch(`${http.url}${HTTP_ROUTES.liveness}`)).status, 200);
  });
});
