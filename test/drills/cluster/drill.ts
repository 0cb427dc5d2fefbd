// The multi-worker fault drill on the local Temporal cluster (PostgreSQL, scripts/cluster/): two
// worker processes (DRILL_WORKERS=3 for three), the HTTP API, the provider emulator in its own
// process and the usage ledger in Redis. It measures completed/s with one worker and with two, then
// sends a burst of 300 requests at concurrency 32, kills one worker with SIGKILL after a third of
// them completed and restarts the Temporal server after two thirds, and checks that every request
// completed, none was lost, the ledger counts each answered provider call once and its usage is the
// emulator's call log. One summary line says how it went.
//   node --import tsx scripts/cluster/main.ts drill
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { runApiServer } from '../../../api/run.js';
import { startWorkerProcess, type WorkerProcess } from '../../../bench/workerProcess.js';
import { setupCluster } from '../../../cli/setup.js';
import { workflowsPath } from '../../../config/paths.js';
import { RedisUsageLedger } from '../../../core/usage/redisLedger.js';
import { startCluster, stopCluster } from '../../../scripts/cluster/cluster.js';
import { clusterDir } from '../../../scripts/cluster/paths.js';
import { postgresRunning } from '../../../scripts/cluster/postgres.js';
import { loadState, serverRunning, startServer, stopServer } from '../../../scripts/cluster/server.js';
import { freePort } from '../../../scripts/freePort.js';
import { startRedis } from '../../../scripts/redis.js';
import { describeCpu, sampleCpu } from './cpu.js';
import { startEmulatorProcess } from './emulatorProcess.js';
import { type HttpRecord, runHttpLoad } from './httpLoad.js';

export interface ClusterDrillOptions {
  requests?: number;
  concurrency?: number;
  workers?: number;
  /** Requests of each throughput phase (one worker, then all workers), before the burst. */
  throughputRequests?: number;
  /** The emulator's delay before every answer: calls are in flight when the worker is killed. */
  latencyMs?: number;
}

const USAGE_PREFIX = 'llm:usage';
const API_KEY = 'drill-key';
const seconds = (ms: number): string => (ms / 1000).toFixed(1);

export async function runClusterDrill(options: ClusterDrillOptions = {}): Promise<boolean> {
  const requests = options.requests ?? Number(process.env.DRILL_REQUESTS ?? 300);
  const concurrency = options.concurrency ?? Number(process.env.DRILL_CONCURRENCY ?? 32);
  const workerCount = options.workers ?? Number(process.env.DRILL_WORKERS ?? 2);
  const throughputRequests =
    options.throughputRequests ?? Number(process.env.DRILL_THROUGHPUT_REQUESTS ?? 100);
  const latencyMs = options.latencyMs ?? 300;
  const log = (line: string): void => console.error(`drill: ${line}`);

  const wasRunning = serverRunning(await loadState()) && postgresRunning();
  const cluster = await startCluster(log);
  const setupConnection = await Connection.connect({ address: cluster.address });
  await setupCluster(setupConnection, { namespace: 'default', retentionDays: 1 });
  await setupConnection.close();

  const taskQueue = `drill-cluster-${randomUUID().slice(0, 8)}`;
  const bundlePath = join(clusterDir, `workflow-bundle-${process.pid}.js`);
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: log, error: log },
  });
  writeFileSync(bundlePath, code);
  const [redisServer, emulator] = await Promise.all([startRedis(), startEmulatorProcess({ latencyMs })]);
  const redis = new Redis(redisServer.url);
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: cluster.address,
    LLM_TASK_QUEUE: taskQueue,
    REDIS_URL: redisServer.url,
  };
  const api = await runApiServer({
    port: await freePort(),
    env: { ...env, API_KEYS: `${API_KEY}:drill` },
    logger: false,
    log: () => {},
  });
  const workers: WorkerProcess[] = [];
  const startWorker = async (): Promise<WorkerProcess> => {
    const worker = await startWorkerProcess({
      address: cluster.address,
      taskQueue,
      emulatorUrl: emulator.url,
      env: { REDIS_URL: redisServer.url, WORKFLOW_BUNDLE_PATH: bundlePath },
      readyTimeoutMs: 120_000,
    });
    workers.push(worker);
    return worker;
  };
  const pids = (): Record<string, number | undefined> => ({
    'temporal-server': cluster.state.serverPid,
    ...Object.fromEntries(
      workers.map((w, i) => [
        `worker${i + 1}`,
        w.child.exitCode === null && w.child.signalCode === null ? w.pid : undefined,
      ]),
    ),
    'api+load': process.pid,
    emulator: emulator.pid,
  });
  const ids = (phase: string, count: number): string[] =>
    Array.from({ length: count }, (_, i) => `${taskQueue}-${phase}-${i}`);
  const all: HttpRecord[] = [];
  const load = (phase: string, count: number, onSettled?: (r: HttpRecord, n: number) => void) =>
    runHttpLoad({
      apiUrl: api.url,
      apiKey: API_KEY,
      ids: ids(phase, count),
      concurrency,
      ...(onSettled ? { onSettled } : {}),
    });

  try {
    // Throughput with one worker, then with all of them (no faults).
    await startWorker();
    let before = sampleCpu(pids());
    const one = await load('one', throughputRequests);
    const oneCpu = describeCpu(before, sampleCpu(pids()));
    all.push(...one.records);
    while (workers.length < workerCount) await startWorker();
    before = sampleCpu(pids());
    const many = await load('many', throughputRequests);
    const manyCpu = describeCpu(before, sampleCpu(pids()));
    all.push(...many.records);
    const rate = (r: { records: HttpRecord[]; wallMs: number }): string =>
      (r.records.filter((x) => x.status === 'completed').length / (r.wallMs / 1000)).toFixed(1);
    log(`${throughputRequests} requests, 1 worker: ${rate(one)} completed/s; ${oneCpu}`);
    log(`${throughputRequests} requests, ${workerCount} workers: ${rate(many)} completed/s; ${manyCpu}`);

    // The burst: kill -9 one worker after a third, restart the server after two thirds.
    const victim = workers[workers.length - 1] as WorkerProcess;
    const burstStarted = Date.now();
    let killAtMs = 0;
    let restart: Promise<{ stopAtMs: number; upAtMs: number }> | undefined;
    before = sampleCpu(pids());
    const burst = await load('burst', requests, (_record, settled) => {
      if (settled === Math.floor(requests / 3)) {
        victim.kill('SIGKILL');
        killAtMs = Date.now() - burstStarted;
        log(`kill -9 worker pid ${victim.pid} at ${seconds(killAtMs)} s (${settled} completed)`);
      }
      if (settled === Math.floor((2 * requests) / 3)) {
        restart = (async () => {
          const stopAtMs = Date.now() - burstStarted;
          await stopServer(cluster.state, log);
          await startServer(cluster.state, log);
          const upAtMs = Date.now() - burstStarted;
          log(
            `temporal-server restarted: stopped at ${seconds(stopAtMs)} s, answering again at ${seconds(upAtMs)} s`,
          );
          return { stopAtMs, upAtMs };
        })();
      }
    });
    // Only the machine's total: the restart replaced the server's process and PostgreSQL's backends.
    const burstCpu = describeCpu(before, sampleCpu(pids())).replace(/ \(.*\)$/, '');
    const restarted = await restart;
    all.push(...burst.records);

    // What the client saw, what Temporal has, what the provider answered, what the ledger counted.
    const completed = burst.records.filter((r) => r.status === 'completed');
    const failed = burst.records.filter((r) => r.status === 'failed');
    const unanswered = burst.records.filter((r) => r.status === 'unanswered');
    const lost = await lostRequests(
      cluster.address,
      unanswered.map((r) => r.requestId),
    );
    const calls = await emulator.calls();
    const answered = calls.filter((c) => c.status === 200);
    const aborted = calls.filter((c) => c.status === 'aborted');
    const counted = await ledgerKeys(redis);
    const perActivity = new Set(counted.map((key) => key.slice(0, key.lastIndexOf('/'))));
    const duplicates = counted.length - perActivity.size + Math.max(0, counted.length - answered.length);
    const [byModel] = await new RedisUsageLedger(redis, { prefix: USAGE_PREFIX }).totals({ by: 'model' });
    const emulatorTokens = {
      input: answered.reduce((sum, c) => sum + (c.inputTokens ?? 0), 0),
      output: answered.reduce((sum, c) => sum + (c.outputTokens ?? 0), 0),
    };
    const usageMatches =
      byModel?.calls === answered.length &&
      byModel.inputTokens === emulatorTokens.input &&
      byModel.outputTokens === emulatorTokens.output;
    // A call the provider answered but the worker never recorded: the worker was killed between the
    // answer reaching its socket and the ledger write. Each belongs to an activity retried afterwards.
    const unrecorded = answered.length - counted.length;
    const retried = counted.filter((key) => Number(key.slice(key.lastIndexOf('/') + 1)) > 1).length;
    const usageAccounted = unrecorded >= 0 && unrecorded + aborted.length <= retried;
    const usageLine = usageMatches
      ? 'usage = call log'
      : `usage = call log minus ${unrecorded} calls answered to the killed worker but never recorded (${retried} attempts retried after the kill, ${aborted.length} aborted)`;
    const allCompleted = all.filter((r) => r.status === 'completed').length;
    const resent = burst.records.reduce((sum, r) => sum + r.resent, 0);

    console.log(
      `drill cluster (${workerCount} workers, server v1.29.1 on PostgreSQL, 4 shards): sent ${requests}, completed ${completed.length}, failed ${failed.length}, lost ${lost.length}, duplicates ${duplicates}, resent ${resent}; ` +
        `kill -9 worker at ${seconds(killAtMs)} s, server restart at ${restarted ? `${seconds(restarted.stopAtMs)} s (up again at ${seconds(restarted.upAtMs)} s)` : 'never'}, burst ${seconds(burst.wallMs)} s; ` +
        `${usageLine}: ledger calls ${counted.length}, emulator answered ${answered.length} (aborted ${aborted.length}), tokens in/out ledger ${byModel?.inputTokens}/${byModel?.outputTokens} emulator ${emulatorTokens.input}/${emulatorTokens.output}; ` +
        `completed/s 1 worker ${rate(one)}, ${workerCount} workers ${rate(many)}, burst ${rate(burst)}; all phases ${allCompleted}/${all.length} completed; burst CPU ${burstCpu}, load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores`,
    );
    for (const r of [...failed, ...unanswered].slice(0, 5)) log(`${r.requestId}: ${r.status}: ${r.error}`);
    return (
      completed.length === requests &&
      lost.length === 0 &&
      duplicates === 0 &&
      (usageMatches || (usageAccounted && !process.env.DRILL_STRICT_USAGE)) &&
      restarted !== undefined
    );
  } finally {
    await Promise.allSettled(workers.map((w) => w.stop(15_000)));
    await api.close();
    await emulator.stop();
    redis.disconnect();
    await redisServer.stop();
    rmSync(bundlePath, { force: true });
    if (!wasRunning && !process.env.CLUSTER_KEEP) await stopCluster(log);
  }
}

/** Ledger keys `<workflow id>/<activity id>/<attempt>`, one per counted provider call. */
async function ledgerKeys(redis: Redis): Promise<string[]> {
  const head = `${USAGE_PREFIX}:call:`;
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match: `${head}*`, count: 1000 }))
    keys.push(...(batch as string[]).map((key) => key.slice(head.length)));
  return keys;
}

/** Of requests the client got no answer for, those Temporal has no workflow for. */
async function lostRequests(address: string, requestIds: string[]): Promise<string[]> {
  if (requestIds.length === 0) return [];
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const lost: string[] = [];
  for (const id of requestIds) {
    const described = await client.workflow
      .getHandle(id)
      .describe()
      .catch(() => undefined);
    if (described?.status.name !== 'COMPLETED') lost.push(id);
  }
  await connection.close();
  return lost;
}
