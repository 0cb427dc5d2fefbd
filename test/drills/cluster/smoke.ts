// The cluster's smoke check, quick enough for CI: build (cached in .tools/), start PostgreSQL and the
// Temporal server, run setup twice (the second run must change nothing), check that a namespace
// without our search attributes refuses a request with SearchAttributeNotRegisteredError, and send one
// request through a worker process and the typed client. Exits 1 on any failure.
//   node --import tsx scripts/cluster/main.ts smoke
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { msNumberToTs } from '@temporalio/common';
import { startWorkerProcess, type WorkerProcess } from '../../../bench/workerProcess.js';
import { setupCluster, setupReportLines } from '../../../cli/setup.js';
import { OrchestratorClient } from '../../../client/client.js';
import { SearchAttributeNotRegisteredError } from '../../../client/searchAttributeErrors.js';
import { createEmulator } from '../../../emulator/server.js';
import { startCluster, stopCluster } from '../../../scripts/cluster/cluster.js';
import { postgresRunning } from '../../../scripts/cluster/postgres.js';
import { loadState, serverRunning } from '../../../scripts/cluster/server.js';

const BARE_NAMESPACE = 'smoke-no-attributes';
const seconds = (fromMs: number): string => ((performance.now() - fromMs) / 1000).toFixed(1);

/** A namespace nobody ran setup on: registered without search attributes, served once its cache has it. */
async function bareNamespace(connection: Connection): Promise<void> {
  await connection.workflowService
    .registerNamespace({
      namespace: BARE_NAMESPACE,
      workflowExecutionRetentionPeriod: msNumberToTs(86_400_000),
    })
    .catch((error: { code?: number }) => {
      if (error.code !== 6) throw error; // ALREADY_EXISTS: an earlier smoke run made it.
    });
}

export async function runClusterSmoke(): Promise<void> {
  const started = performance.now();
  const wasRunning = serverRunning(await loadState()) && postgresRunning();
  const cluster = await startCluster((line) => console.error(`smoke: ${line}`));
  const clusterUp = seconds(started);
  const connection = await Connection.connect({ address: cluster.address });
  const emulator = await createEmulator();
  let worker: WorkerProcess | undefined;
  try {
    const setupStarted = performance.now();
    const first = await setupCluster(connection, { namespace: 'default', retentionDays: 3 });
    const second = await setupCluster(connection, { namespace: 'default', retentionDays: 3 });
    for (const line of setupReportLines(second)) console.error(`smoke: setup (second run): ${line}`);
    assert.equal(second.namespace.action, 'existed');
    assert.deepEqual(
      second.searchAttributes.filter((a) => a.action !== 'existed'),
      [],
      'the second setup changes nothing',
    );
    const setupTook = seconds(setupStarted);

    await bareNamespace(connection);
    const bare = new OrchestratorClient({
      client: new Client({ connection, namespace: BARE_NAMESPACE }),
      taskQueue: 'smoke-never-served',
    });
    const refused = await (async () => {
      for (let tries = 0; ; tries++) {
        const error = await bare
          .start({
            requestId: `smoke-${randomUUID()}`,
            taskType: 'general_qa',
            templateId: 'general_qa',
            variables: { question: 'q' },
          })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        // A namespace just registered is "not found" until the frontend's cache refreshes.
        if ((error as { cause?: { code?: number } })?.cause?.code === 5 && tries < 40) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          continue;
        }
        return error;
      }
    })();
    assert.ok(
      refused instanceof SearchAttributeNotRegisteredError,
      `expected SearchAttributeNotRegisteredError, got ${refused}`,
    );
    console.error(`smoke: a namespace without setup refuses: ${refused.message}`);

    const requestStarted = performance.now();
    const taskQueue = `smoke-${randomUUID().slice(0, 8)}`;
    worker = await startWorkerProcess({
      address: cluster.address,
      taskQueue,
      emulatorUrl: emulator.url,
      readyTimeoutMs: 120_000,
    });
    assert.doesNotMatch(worker.output(), /lacks the search attributes/);
    const client = new OrchestratorClient({ client: new Client({ connection }), taskQueue });
    const result = await client.process({
      requestId: `smoke-${randomUUID()}`,
      taskType: 'general_qa',
      templateId: 'general_qa',
      variables: { question: 'Does the cluster answer?' },
      model: 'gpt-4o-mini',
    });
    assert.ok(result.text.length > 0);
    console.log(
      `cluster smoke: ok; cluster up in ${clusterUp} s (build ${cluster.timings.build.toFixed(1)} s, postgres ${cluster.timings.postgres.toFixed(1)} s, schema ${cluster.timings.schema.toFixed(1)} s, server ${cluster.timings.server.toFixed(1)} s), ` +
        `setup twice ${setupTook} s (first: ${first.searchAttributes.filter((a) => a.action === 'added').length} added, second: none), ` +
        `one request through a worker process ${seconds(requestStarted)} s (model ${result.model}); total ${seconds(started)} s`,
    );
  } finally {
    await worker?.stop(15_000);
    await emulator.close();
    await connection.close();
    if (!wasRunning && !process.env.CLUSTER_KEEP)
      await stopCluster((line) => console.error(`smoke: ${line}`));
  }
}
