// Prometheus metrics end to end, on the real dev server and the provider emulator: each request moves
// exactly the counters its events call for (scraped from the worker's /metrics), and replaying the
// finished histories on a fresh worker moves none of them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type InjectedSinks, NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { defaultSettings } from '../activities/deps.js';
import { createActivities } from '../activities/index.js';
import type { LlmRequest, LlmResult } from '../common/request.js';
import { loadModelCatalog, loadRoutingTable } from '../config/load.js';
import { tokenCounter } from '../core/context/tokens.js';
import { InProcessHealthStore } from '../core/health/circuit.js';
import { ProviderRegistry } from '../core/providers/registry.js';
import { loadTemplateRegistry } from '../core/templates/index.js';
import { templatesDir } from '../workers/config.js';
import { workerReadiness } from '../workers/health.js';
import { startWorkerHttpServer, type WorkerHttpServer } from '../workers/http.js';
import { OrchestratorMetrics } from '../workers/metrics.js';
import { metricsSinks } from '../workers/sinks.js';
import { workflowBundle } from '../workers/worker.js';
import { statusQuery } from '../workflows/definitions.js';
import type { OrchestratorSinks, RequestOutcome } from '../workflows/sinks.js';
import { type Harness, requestId, startHarness, testSettings } from './support/harness.js';

// ---- a small reader for the Prometheus text format ----

type Labels = Record<string, string>;
interface Sample {
  name: string;
  labels: Labels;
  value: number;
}

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Labels = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1] as string] = (pair[2] as string).replace(/\\(.)/g, (_, c: string) =>
        c === 'n' ? '\n' : c,
      );
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sum of the samples named `name` whose labels include `labels` (0 when there are none). */
function total(samples: Sample[], name: string, labels: Labels = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

// ---- a worker with the metrics sink, built like createOrchestratorWorker builds its own ----

interface RunningWorker {
  worker: Worker;
  connection: NativeConnection;
  /** Stops the worker and keeps its connection. */
  shutdown(): Promise<void>;
  /** Stops the worker and closes its connection. */
  stop(): Promise<void>;
}

async function startWorker(
  h: Harness,
  sinks: InjectedSinks<OrchestratorSinks>,
  health = new InProcessHealthStore(),
): Promise<RunningWorker> {
  // Core allows one worker per connection and task queue, even after the first one stopped.
  const connection = await NativeConnection.connect({ address: h.env.address });
  const catalog = loadModelCatalog();
  const routing = loadRoutingTable(catalog);
  const counter = tokenCounter('o200k_base');
  const templates = await loadTemplateRegistry(templatesDir(), { countTokens: (t) => counter.count(t) });
  const activities = createActivities({
    templates,
    catalog: () => catalog,
    routing: () => routing,
    providers: new ProviderRegistry({
      openai: { apiKey: 'test-openai-key', baseURL: h.emulator.openaiBaseURL },
      anthropic: { apiKey: 'test-anthropic-key', baseURL: h.emulator.url },
    }),
    health,
    settings: { ...defaultSettings, ...testSettings },
  });
  const worker = await Worker.create({
    connection,
    taskQueue: h.taskQueue,
    workflowBundle: await sameBundle(),
    activities,
    sinks,
  });
  const done = worker.run();
  const shutdown = async (): Promise<void> => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await done;
  };
  let closed = false;
  return {
    worker,
    connection,
    shutdown,
    stop: async () => {
      await shutdown();
      if (!closed) await connection.close();
      closed = true;
    },
  };
}

let bundle: Promise<WorkflowBundleOption> | undefined;
/** The bundle's code read once, so every worker here replays exactly the code that ran. */
function sameBundle(): Promise<WorkflowBundleOption> {
  bundle ??= workflowBundle().then((b) => ('codePath' in b ? { code: readFileSync(b.codePath, 'utf8') } : b));
  return bundle;
}

// ---- the tests ----

let h: Harness;
let metrics: OrchestratorMetrics;
let first: RunningWorker;
let http: WorkerHttpServer;
const finished: string[] = [];

before(async () => {
  h = await startHarness({ worker: false });
  const health = new InProcessHealthStore();
  metrics = new OrchestratorMetrics({ circuits: () => health.all() });
  first = await startWorker(h, metricsSinks(metrics), health);
  http = await startWorkerHttpServer({
    port: 0,
    host: '127.0.0.1',
    metrics,
    readiness: workerReadiness({ connection: first.connection, workers: [first.worker] }),
  });
});
after(async () => {
  await http?.close();
  await first?.stop();
  await h?.stop();
});

async function scrape(): Promise<Sample[]> {
  const response = await fetch(`${http.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
  return parseExposition(await response.text());
}

function qa(label: string, extra: Partial<LlmRequest> = {}): LlmRequest {
  return {
    requestId: requestId(`metrics-${label}`),
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question: `How are metrics counted? (${label})` },
    model: 'gpt-4o-mini',
    caller: 'metrics-test',
    ...extra,
  };
}

async function run(request: LlmRequest): Promise<LlmResult> {
  finished.push(request.requestId);
  return h.client.process(request);
}

/** What moved between two scrapes, for the families a request can move. */
function moved(before: Sample[], after: Sample[], name: string, labels: Labels = {}): number {
  return total(after, name, labels) - total(before, name, labels);
}

const EVENT_FAMILIES = [
  'llm_requests_total',
  'llm_errors_total',
  'llm_retries_total',
  'llm_fallbacks_total',
  'llm_rate_limit_waits_total',
  'llm_validation_repairs_total',
  'llm_cache_hits_total',
];

describe('metrics of finished requests', () => {
  it('a plain success counts one request, its latency, its tokens and its cost, and nothing else', async () => {
    const before = await scrape();
    const started = Date.now();
    const result = await run(qa('plain'));
    const wallSeconds = (Date.now() - started) / 1000;
    const after = await scrape();
    const series = { task_type: 'general_qa', model: 'gpt-4o-mini' };
    assert.equal(moved(before, after, 'llm_requests_total', { ...series, status: 'success' }), 1);
    assert.equal(moved(before, after, 'llm_requests_total'), 1);
    assert.equal(moved(before, after, 'llm_request_latency_seconds_count', series), 1);
    const latency = moved(before, after, 'llm_request_latency_seconds_sum', series);
    assert.ok(
      latency > 0 && latency <= wallSeconds,
      `latency ${latency} s within the ${wallSeconds} s we waited`,
    );
    assert.equal(
      moved(before, after, 'llm_token_usage_total', { ...series, token_type: 'input' }),
      result.usage.inputTokens,
    );
    assert.equal(
      moved(before, after, 'llm_token_usage_total', { ...series, token_type: 'output' }),
      result.usage.outputTokens,
    );
    assert.ok(result.costUsd > 0);
    assertClose(moved(before, after, 'llm_request_cost_dollars', series), result.costUsd);
    assertClose(
      moved(before, after, 'llm_request_cost_by_caller_dollars', { caller: 'metrics-test' }),
      result.costUsd,
    );
    for (const family of EVENT_FAMILIES.filter((f) => f !== 'llm_requests_total'))
      assert.equal(moved(before, after, family), 0, `${family} did not move`);
  });

  it('a 429 answered by a retry counts one error, one retry and one rate-limit wait, no fallback', async () => {
    h.emulator.addFault({ model: 'claude-haiku-4-5', status: 429, times: 1 });
    const before = await scrape();
    const result = await run(qa('retry', { model: 'claude-haiku-4-5' }));
    const after = await scrape();
    assert.deepEqual(
      result.attempts.map((a) => [a.model, a.outcome, a.errorType ?? null]),
      [
        ['claude-haiku-4-5', 'failed', 'RateLimitError'],
        ['claude-haiku-4-5', 'success', null],
      ],
    );
    const series = { task_type: 'general_qa', model: 'claude-haiku-4-5' };
    assert.equal(moved(before, after, 'llm_requests_total', { ...series, status: 'success' }), 1);
    assert.equal(moved(before, after, 'llm_errors_total', { ...series, error_type: 'RateLimitError' }), 1);
    assert.equal(moved(before, after, 'llm_errors_total'), 1);
    assert.equal(moved(before, after, 'llm_retries_total', { ...series, error_type: 'RateLimitError' }), 1);
    assert.equal(moved(before, after, 'llm_retries_total'), 1);
    assert.equal(moved(before, after, 'llm_rate_limit_waits_total', { model: 'claude-haiku-4-5' }), 1);
    assert.equal(moved(before, after, 'llm_fallbacks_total'), 0);
    assert.equal(
      moved(before, after, 'llm_token_usage_total', { ...series, token_type: 'output' }),
      result.usage.outputTokens,
    );
  });

  it('a 401 on the preferred model counts one error and one fallback to the model that answered', async () => {
    h.emulator.addFault({ model: 'gpt-4o', status: 401, times: 1 });
    const before = await scrape();
    const result = await run(qa('fallback', { model: 'gpt-4o', fallbackModels: ['claude-haiku-4-5'] }));
    const after = await scrape();
    const calls = result.attempts.filter((a) => a.outcome !== 'skipped');
    assert.deepEqual(
      calls.map((a) => [a.model, a.outcome]),
      [
        ['gpt-4o', 'failed'],
        [result.model, 'success'],
      ],
    );
    const task_type = 'general_qa';
    assert.equal(
      moved(before, after, 'llm_errors_total', {
        task_type,
        model: 'gpt-4o',
        error_type: 'AuthenticationError',
      }),
      1,
    );
    assert.equal(moved(before, after, 'llm_errors_total'), 1);
    assert.equal(
      moved(before, after, 'llm_fallbacks_total', {
        task_type,
        from_model: 'gpt-4o',
        to_model: result.model,
      }),
      1,
    );
    assert.equal(moved(before, after, 'llm_fallbacks_total'), 1);
    assert.equal(moved(before, after, 'llm_retries_total'), 0);
    assert.equal(moved(before, after, 'llm_rate_limit_waits_total'), 0);
    assert.equal(
      moved(before, after, 'llm_requests_total', { task_type, model: result.model, status: 'success' }),
      1,
    );
    assert.equal(moved(before, after, 'llm_requests_total'), 1);
    // The 401 cost nothing and used no tokens; the answer's tokens go to the model that answered.
    assert.equal(moved(before, after, 'llm_token_usage_total', { model: 'gpt-4o' }), 0);
    assertClose(moved(before, after, 'llm_request_cost_dollars', { model: result.model }), result.costUsd);
    // The breaker saw gpt-4o fail once: its circuit is reported, still closed.
    assert.equal(total(after, 'llm_circuit_state', { model: 'gpt-4o' }), 0);
    assert.ok(after.some((s) => s.name === 'llm_circuit_state' && s.labels.model === 'gpt-4o'));
  });

  it('a request that fails before any model counts as failed under model "none", with its error type', async () => {
    const request = qa('no-template', { templateId: 'no_such_template' });
    const before = await scrape();
    await assert.rejects(run(request));
    const after = await scrape();
    const series = { task_type: 'general_qa', model: 'none' };
    assert.equal(moved(before, after, 'llm_requests_total', { ...series, status: 'failed' }), 1);
    assert.equal(
      moved(before, after, 'llm_errors_total', { ...series, error_type: 'TemplateNotFoundError' }),
      1,
    );
    assert.equal(moved(before, after, 'llm_errors_total'), 1);
    assert.equal(moved(before, after, 'llm_request_cost_dollars'), 0);
  });

  it('replaying the finished histories on fresh workers moves no counter', async () => {
    const before = await scrape();
    await first.shutdown();
    // /health stays up while readiness reports the stopped worker.
    assert.equal((await fetch(`${http.url}/health`)).status, 200);
    const ready = await fetch(`${http.url}/health/ready`);
    assert.equal(ready.status, 503);
    assert.deepEqual(((await ready.json()) as { failed: string[] }).failed, ['worker']);

    // A fresh worker with fresh metrics, as after a restart: queries make it replay every history.
    const fresh = new OrchestratorMetrics({ defaultMetrics: false });
    const second = await startWorker(h, metricsSinks(fresh));
    try {
      for (const id of finished) {
        const status = await h.env.client.workflow.getHandle(id).query(statusQuery);
        assert.ok(
          ['completed', 'failed'].includes(status.stage),
          `${id} replayed to its end: ${status.stage}`,
        );
      }
    } finally {
      await second.stop();
    }
    const replayed = parseExposition(await fresh.text());
    for (const family of [...EVENT_FAMILIES, 'llm_token_usage_total', 'llm_request_cost_dollars'])
      assert.equal(total(replayed, family), 0, `${family} stays 0 on the fresh worker`);
    assert.deepEqual(
      (await scrape()).filter((s) => s.name.startsWith('llm_') && s.name !== 'llm_circuit_state'),
      before.filter((s) => s.name.startsWith('llm_') && s.name !== 'llm_circuit_state'),
    );

    // Control: a sink that asks to run during replay does see every request again, so the queries
    // above really replayed the workflows to their end.
    const seen: RequestOutcome[] = [];
    const third = await startWorker(h, {
      metrics: {
        requestFinished: { fn: (_info, outcome) => void seen.push(outcome), callDuringReplay: true },
      },
    });
    try {
      for (const id of finished) await h.env.client.workflow.getHandle(id).query(statusQuery);
    } finally {
      await third.stop();
    }
    assert.deepEqual(seen.map((o) => o.requestId).sort(), [...finished].sort());
  });
});

function assertClose(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≈ ${expected}`);
}
