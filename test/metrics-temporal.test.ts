// The Temporal SDK's own worker metrics: with TEMPORAL_METRICS_BIND the Runtime serves them in
// Prometheus format, and every name the dashboards may use (TEMPORAL_SDK_METRIC_NAMES) is there.
// Its own process: the Runtime is installed once, before anything connects.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { OrchestratorClient } from '../client/client.js';
import { createEmulator, type Emulator } from '../emulator/server.js';
import { startDevServer } from '../scripts/devServer.js';
import { freePort } from '../scripts/freePort.js';
import { TEMPORAL_SDK_METRIC_NAMES, temporalRuntimeTelemetry } from '../workers/metricsTemporal.js';
import { createOrchestratorWorker, type OrchestratorWorker } from '../workers/worker.js';

const port = await freePort();
const telemetryOptions = temporalRuntimeTelemetry({ TEMPORAL_METRICS_BIND: `127.0.0.1:${port}` });
// Sink and provider-failure logs are not what this file is about.
Runtime.install({
  logger: new DefaultLogger('ERROR', () => {}),
  ...(telemetryOptions ? { telemetryOptions } : {}),
});

let env: TestWorkflowEnvironment;
let emulator: Emulator;
let orchestrator: OrchestratorWorker;
let running: Promise<void>;

before(async () => {
  env = await startDevServer();
  emulator = await createEmulator({});
  orchestrator = await createOrchestratorWorker({
    connection: env.nativeConnection,
    taskQueue: 'sdk-metrics',
    providers: {
      openai: { apiKey: 'test-openai-key', baseURL: emulator.openaiBaseURL },
      anthropic: { apiKey: 'test-anthropic-key', baseURL: emulator.url },
    },
  });
  running = orchestrator.run();
});
after(async () => {
  orchestrator?.shutdown();
  await running;
  await emulator?.close();
  await env?.teardown();
});

it('serves the SDK worker metrics the dashboards use, durations in seconds', async () => {
  const client = new OrchestratorClient({ client: env.client, taskQueue: 'sdk-metrics' });
  await client.process({
    requestId: 'sdk-metrics-1',
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question: 'Which metrics does the SDK export?' },
    model: 'gpt-4o-mini',
  });
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const names = new Set(
    text
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.replace(/[{ ].*$/, '')),
  );
  const missing = TEMPORAL_SDK_METRIC_NAMES.filter((name) => !names.has(name));
  assert.deepEqual(missing, [], `exported: ${[...names].join(', ')}`);
  // Seconds, not milliseconds: the smallest bucket bound is below 1.
  assert.match(text, /^temporal_workflow_task_schedule_to_start_latency_bucket\{[^}]*le="0\.\d+"\}/m);
  assert.match(text, /^temporal_workflow_completed\{[^}]*workflow_type="llmRequest"[^}]*\} 1$/m);
});
