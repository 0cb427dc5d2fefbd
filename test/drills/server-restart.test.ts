// Failure drill: stop the Temporal server while requests are in flight and start it again on the same
// port and database file. The worker (its own process) and the client reconnect by themselves, and
// every request completes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type RequestRecord, timedRequest } from '../../bench/loadgen.js';
import { startWorkerProcess, type WorkerProcess } from '../../bench/workerProcess.js';
import { OrchestratorClient } from '../../client/client.js';
import { createEmulator, type Emulator } from '../../emulator/server.js';
import { startDevServer } from '../../scripts/devServer.js';
import { freePort } from '../../scripts/freePort.js';
import { until } from '../support/wait.js';

const REQUESTS = 16;
const HOLD_MS = 3000;
/** How long the server stays down after the provider has answered every call. */
const OUTAGE_AFTER_ANSWERS_MS = 2000;

let dir: string;
let server: TestWorkflowEnvironment | undefined;
let emulator: Emulator;
let connection: Connection | undefined;
let worker: WorkerProcess | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'drill-restart-'));
  emulator = await createEmulator();
});
after(async () => {
  worker?.kill('SIGKILL');
  await connection?.close();
  await server?.teardown();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a Temporal server restart with requests in flight: every request completes', async () => {
  const port = await freePort();
  const dbFilename = join(dir, 'temporal.db');
  server = await startDevServer({ dbFilename, port });
  const address = server.address;
  const taskQueue = `drill-restart-${randomUUID()}`;
  worker = await startWorkerProcess({ address, taskQueue, emulatorUrl: emulator.url });
  // The client has its own connection: the dev server's environment closes its own on teardown.
  connection = await Connection.connect({ address });
  const client = new OrchestratorClient({ client: new Client({ connection }), taskQueue });

  emulator.setLatency({ holdMs: HOLD_MS });
  const settled: Promise<RequestRecord>[] = Array.from({ length: REQUESTS }, (_, i) =>
    timedRequest(
      client,
      {
        requestId: `restart-${randomUUID().slice(0, 8)}-${i}`,
        taskType: 'general_qa',
        templateId: 'general_qa',
        variables: { question: `Question ${i}: what survives a server restart?` },
        model: 'gpt-4o-mini',
      },
      i,
    ),
  );
  const pending = (): number => emulator.calls().filter((c) => c.status === 'pending').length;
  // Every request has reached the provider; on a slow machine the first holds may already be over.
  await until(() => emulator.calls().length >= REQUESTS, 60_000, `${REQUESTS} provider calls`);
  const pendingAtStop = pending();

  const stoppedAt = Date.now();
  await server.teardown();
  server = undefined;
  const downMs = Date.now() - stoppedAt;
  // The provider answers while the server is down: the worker must hold on to the completions.
  await until(() => pending() === 0, HOLD_MS + 5000, 'the provider calls to finish');
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_AFTER_ANSWERS_MS));
  server = await startDevServer({ dbFilename, port });
  const restartedMs = Date.now() - stoppedAt;

  const records = await Promise.all(settled);
  const completed = records.filter((r) => r.status === 'success');
  const calls = emulator.calls();
  const answered = calls.filter((c) => c.status === 200).length;
  const charged = completed.flatMap((r) => r.result?.attempts.filter((a) => a.outcome === 'success') ?? []);
  console.log(
    `drill server-restart: requests sent ${REQUESTS}, completed ${completed.length}, failed ${records.length - completed.length}, duplicates: ${charged.length - completed.length}; ` +
      `emulator calls ${calls.length} (200: ${answered}, aborted: ${calls.filter((c) => c.status === 'aborted').length}); ` +
      `${pendingAtStop} calls were still at the provider when the server stopped; server stopped in ${downMs} ms, up again ${restartedMs} ms after the stop; all done ${Date.now() - stoppedAt} ms after the stop`,
  );
  assert.deepEqual(
    records.filter((r) => r.status === 'error').map((r) => `${r.requestId}: ${r.errorType}: ${r.error}`),
    [],
  );
  for (const record of completed) {
    const successes = record.result?.attempts.filter((a) => a.outcome === 'success') ?? [];
    assert.equal(successes.length, 1, `${record.requestId}: exactly one successful call`);
    assert.deepEqual(record.result?.usage, successes[0]?.usage);
  }
  assert.equal(charged.length, REQUESTS, 'duplicates: 0');
  // Provider answers that reached the emulator but whose completion the server never recorded show up
  // here as extra 200s; they are reported above, not hidden.
  assert.ok(answered >= REQUESTS);
});
