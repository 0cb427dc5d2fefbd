// recordRequestOutcome on hand-made outcomes: which counter each kind of attempt moves, and by how
// much; the circuit gauge read from a real health store; the sink, port and SDK-telemetry settings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Attempt } from '../common/request.js';
import { InProcessHealthStore } from '../core/health/circuit.js';
import { DEFAULT_WORKER_HTTP_PORT, workerHttpPort } from '../workers/http.js';
import { OrchestratorMetrics } from '../workers/metrics.js';
import { recordRequestOutcome } from '../workers/metricsOutcome.js';
import { temporalRuntimeTelemetry } from '../workers/metricsTemporal.js';
import { metricsSinks } from '../workers/sinks.js';
import type { RequestOutcome } from '../workflows/sinks.js';

interface Readable {
  get(): Promise<{
    values: { labels: Record<string, string | number>; value: number; metricName?: string }[];
  }>;
}

/** Sum of a family's values whose labels include `labels`. */
async function value(metric: Readable, labels: Record<string, string> = {}, sampleName?: string) {
  const { values } = await metric.get();
  return values
    .filter((v) => sampleName === undefined || v.metricName === sampleName)
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

const usage = (input: number, output: number, cached?: number) => ({
  inputTokens: input,
  outputTokens: output,
  totalTokens: input + output,
  ...(cached ? { cachedInputTokens: cached } : {}),
});

function call(model: string, extra: Partial<Attempt> = {}): Attempt {
  return { model, provider: 'p', outcome: 'success', durationMs: 5, try: 1, ...extra };
}

function failed(model: string, errorType: string, extra: Partial<Attempt> = {}): Attempt {
  return call(model, { outcome: 'failed', errorType, ...extra });
}

function outcome(attempts: Attempt[], extra: Partial<RequestOutcome> = {}): RequestOutcome {
  const answered = attempts.findLast((a) => a.outcome === 'success');
  return {
    requestId: 'r1',
    taskType: 'code_generation',
    templateId: 't',
    caller: 'billing',
    status: answered ? 'success' : 'failed',
    durationMs: 1500,
    usage: usage(0, 0),
    costUsd: 0,
    cached: false,
    attempts,
    ...(answered ? { model: answered.model } : {}),
    ...extra,
  };
}

const task_type = 'code_generation';

describe('recordRequestOutcome', () => {
  it('counts a plain success: request, latency, tokens by type, cost by model and by caller', async () => {
    const m = new OrchestratorMetrics({ defaultMetrics: false });
    recordRequestOutcome(
      m,
      outcome([call('gpt-4o', { usage: usage(100, 20, 40), costUsd: 0.25 })], { caller: 'billing' }),
    );
    assert.equal(await value(m.requests, { task_type, model: 'gpt-4o', status: 'success' }), 1);
    assert.equal(await value(m.latency, { model: 'gpt-4o' }, 'llm_request_latency_seconds_count'), 1);
    assert.equal(await value(m.latency, { model: 'gpt-4o' }, 'llm_request_latency_seconds_sum'), 1.5);
    assert.equal(
      await value(m.latency, { model: 'gpt-4o', le: '2' }, 'llm_request_latency_seconds_bucket'),
      1,
    );
    assert.equal(
      await value(m.latency, { model: 'gpt-4o', le: '1' }, 'llm_request_latency_seconds_bucket'),
      0,
    );
    assert.equal(await value(m.tokens, { model: 'gpt-4o', token_type: 'input' }), 100);
    assert.equal(await value(m.tokens, { model: 'gpt-4o', token_type: 'output' }), 20);
    assert.equal(await value(m.tokens, { model: 'gpt-4o', token_type: 'cached_input' }), 40);
    assert.equal(await value(m.cost, { task_type, model: 'gpt-4o' }), 0.25);
    assert.equal(await value(m.costByCaller, { caller: 'billing' }), 0.25);
    for (const family of [m.errors, m.retries, m.fallbacks, m.rateLimitWaits, m.repairs, m.cacheHits])
      assert.equal(await value(family), 0);
  });

  it('counts each failed try as an error, and a retry when the same model is tried again', async () => {
    const m = new OrchestratorMetrics({ defaultMetrics: false });
    recordRequestOutcome(
      m,
      outcome([
        failed('claude', 'RateLimitError', { try: 1 }),
        failed('claude', 'RateLimitError', { try: 2 }),
        call('claude', { try: 3, usage: usage(10, 5), costUsd: 0.01 }),
      ]),
    );
    assert.equal(await value(m.errors, { model: 'claude', error_type: 'RateLimitError' }), 2);
    assert.equal(await value(m.retries, { task_type, model: 'claude', error_type: 'RateLimitError' }), 2);
    assert.equal(await value(m.rateLimitWaits, { model: 'claude' }), 2);
    assert.equal(await value(m.fallbacks), 0);
    assert.equal(await value(m.requests), 1);
  });

  it('counts one fallback per change of model, ignoring skipped models, and no retry for the last try', async () => {
    const m = new OrchestratorMetrics({ defaultMetrics: false });
    recordRequestOutcome(
      m,
      outcome([
        call('open-circuit', { outcome: 'skipped', try: undefined }),
        failed('a', 'ProviderServerError', { try: 1 }),
        failed('a', 'ProviderServerError', { try: 2 }),
        call('skipped-window', { outcome: 'skipped', try: undefined }),
        failed('b', 'AuthenticationError'),
        call('c', { usage: usage(1, 1), costUsd: 0.5 }),
      ]),
    );
    assert.equal(await value(m.fallbacks), 2);
    assert.equal(await value(m.fallbacks, { task_type, from_model: 'a', to_model: 'b' }), 1);
    assert.equal(await value(m.fallbacks, { task_type, from_model: 'b', to_model: 'c' }), 1);
    assert.equal(await value(m.retries), 1);
    assert.equal(await value(m.retries, { model: 'a', error_type: 'ProviderServerError' }), 1);
    assert.equal(await value(m.errors), 3);
    assert.equal(await value(m.errors, { model: 'open-circuit' }), 0);
    assert.equal(await value(m.requests, { model: 'c', status: 'success' }), 1);
  });

  it("counts one repair per re-ask, even when the re-ask itself is retried, and every call's tokens", async () => {
    const m = new OrchestratorMetrics({ defaultMetrics: false });
    recordRequestOutcome(
      m,
      outcome([
        failed('gpt-4o', 'InvalidResponseError', { usage: usage(100, 10), costUsd: 0.1 }),
        failed('gpt-4o', 'InvalidResponseError', { repair: true, usage: usage(150, 10), costUsd: 0.2 }),
        failed('gpt-4o', 'RateLimitError', { repair: true, try: 1 }),
        call('gpt-4o', { repair: true, try: 2, usage: usage(200, 10), costUsd: 0.3 }),
      ]),
    );
    assert.equal(await value(m.repairs, { task_type, model: 'gpt-4o' }), 2);
    assert.equal(await value(m.retries, { error_type: 'InvalidResponseError' }), 2);
    assert.equal(await value(m.retries, { error_type: 'RateLimitError' }), 1);
    assert.equal(await value(m.rateLimitWaits), 1);
    assert.equal(await value(m.tokens, { token_type: 'input' }), 450);
    assert.equal(await value(m.tokens, { token_type: 'output' }), 30);
    assert.ok(Math.abs((await value(m.cost)) - 0.6) < 1e-12);
    assert.ok(Math.abs((await value(m.costByCaller, { caller: 'billing' })) - 0.6) < 1e-12);
  });

  it('a failed request adds its own error type to the errors of its tries', async () => {
    const m = new OrchestratorMetrics({ defaultMetrics: false });
    recordRequestOutcome(
      m,
      outcome([failed('a', 'AuthenticationError'), failed('b', 'ContentPolicyError')], {
        status: 'failed',
        model: 'b',
        errorType: 'AllModelsFailedError',
        caller: undefined,
      }),
    );
    assert.equal(await value(m.requests, { task_type, model: 'b', status: 'failed' }), 1);
    assert.equal(await value(m.errors, { model: 'b', error_type: 'AllModelsFailedError' }), 1);
    assert.equal(await value(m.errors), 3);
    assert.equal(await value(m.fallbacks, { from_model: 'a', to_model: 'b' }), 1);
    assert.equal(await value(m.costByCaller), 0);
  });

  it('a request with no model and no caller is labelled "none"; a cancelled one counts as cancelled', async () => {
    const m = new OrchestratorMetrics({ defaultMetrics: false });
    recordRequestOutcome(m, outcome([], { status: 'failed', errorType: 'TemplateNotFoundError' }));
    recordRequestOutcome(
      m,
      outcome([call('a', { usage: usage(3, 0), costUsd: 0.01 })], { status: 'cancelled', caller: undefined }),
    );
    assert.equal(await value(m.requests, { model: 'none', status: 'failed' }), 1);
    assert.equal(await value(m.errors, { model: 'none', error_type: 'TemplateNotFoundError' }), 1);
    assert.equal(await value(m.requests, { model: 'a', status: 'cancelled' }), 1);
    assert.equal(await value(m.costByCaller, { caller: 'unknown' }), 0.01);
  });

  it('a cache hit counts a hit and the request, and nothing spent, even if it carries the original tries', async () => {
    const m = new OrchestratorMetrics({ defaultMetrics: false });
    recordRequestOutcome(
      m,
      outcome([failed('a', 'RateLimitError'), call('a', { usage: usage(5, 5), costUsd: 1 })], {
        cached: true,
      }),
    );
    assert.equal(await value(m.cacheHits, { task_type }), 1);
    assert.equal(await value(m.requests, { status: 'success' }), 1);
    for (const family of [m.tokens, m.cost, m.costByCaller, m.errors, m.retries, m.rateLimitWaits])
      assert.equal(await value(family), 0);
  });
});

describe('the circuit gauge', () => {
  it("reads each model's breaker at scrape time: 2 open, 1 half-open, 0 once closed again", async () => {
    let now = 1_000_000;
    const health = new InProcessHealthStore({ failureThreshold: 2, cooldownMs: 30_000 }, () => now);
    const m = new OrchestratorMetrics({ defaultMetrics: false });
    assert.equal(await value(m.circuitState), 0, 'nothing without a source');
    m.watchCircuits(() => health.all());
    await health.recordFailure('gpt-4o', 'ProviderServerError');
    assert.match(await m.text(), /^llm_circuit_state\{model="gpt-4o"\} 0$/m);
    await health.recordFailure('gpt-4o', 'ProviderServerError');
    assert.match(await m.text(), /^llm_circuit_state\{model="gpt-4o"\} 2$/m);
    now += 30_000;
    assert.match(await m.text(), /^llm_circuit_state\{model="gpt-4o"\} 1$/m);
    await health.recordSuccess('gpt-4o');
    assert.match(await m.text(), /^llm_circuit_state\{model="gpt-4o"\} 0$/m);
  });
});

describe('wiring settings', () => {
  it('the sink records outcomes and is not called during replay', async () => {
    const m = new OrchestratorMetrics({ defaultMetrics: false });
    const sink = metricsSinks(m).metrics.requestFinished;
    assert.equal(sink.callDuringReplay, false);
    await sink.fn({} as never, outcome([call('a')]));
    assert.equal(await value(m.requests, { model: 'a' }), 1);
  });

  it('two instances keep separate registries, each with Node process metrics', async () => {
    const a = new OrchestratorMetrics();
    const b = new OrchestratorMetrics();
    recordRequestOutcome(a, outcome([call('x')]));
    assert.equal(await value(a.requests), 1);
    assert.equal(await value(b.requests), 0);
    assert.match(await b.text(), /^process_resident_memory_bytes \d+/m);
  });

  it("WORKER_HTTP_PORT defaults to the probes' port 8000 and rejects what is not a port", () => {
    assert.equal(workerHttpPort({}), DEFAULT_WORKER_HTTP_PORT);
    assert.equal(DEFAULT_WORKER_HTTP_PORT, 8000);
    assert.equal(workerHttpPort({ WORKER_HTTP_PORT: '9100' }), 9100);
    assert.throws(() => workerHttpPort({ WORKER_HTTP_PORT: 'eighty' }), /WORKER_HTTP_PORT/);
  });

  it('Temporal SDK metrics are off unless TEMPORAL_METRICS_BIND names host:port', () => {
    assert.equal(temporalRuntimeTelemetry({}), undefined);
    assert.deepEqual(temporalRuntimeTelemetry({ TEMPORAL_METRICS_BIND: '0.0.0.0:9464' }), {
      metrics: { prometheus: { bindAddress: '0.0.0.0:9464', useSecondsForDurations: true } },
    });
    assert.throws(() => temporalRuntimeTelemetry({ TEMPORAL_METRICS_BIND: '9464' }), /host:port/);
  });
});
