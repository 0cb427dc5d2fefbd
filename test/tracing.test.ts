// OpenTelemetry tracing through Temporal's interceptors, on a real dev server: a traced request is
// one trace from the client's start through the workflows to every activity; an untraced worker and
// client (the default) make no span at all.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { runApiServer } from '../api/run.js';
import { OrchestratorClient } from '../client/client.js';
import type { LlmRequest, LlmResult } from '../common/request.js';
import { defaultLogSettings, type LogSettings } from '../core/logging/settings.js';
import { startTracing, type Tracing, tracingSettingsFromEnv } from '../workers/tracing.js';
import { createOrchestratorWorker, type OrchestratorWorker } from '../workers/worker.js';
import { type Harness, requestId, startHarness, testSettings } from './support/harness.js';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let h: Harness;
const tracedQueue = requestId('traced');
const untracedQueue = requestId('untraced');
const genAiQueue = requestId('gen-ai');
const workers: { worker: OrchestratorWorker; done: Promise<void>; connection: NativeConnection }[] = [];

/** A worker on its own task queue and connection, traced or not. */
async function startWorker(taskQueue: string, traced: boolean, logging?: LogSettings): Promise<void> {
  const connection = await NativeConnection.connect({ address: h.env.address });
  const worker = await createOrchestratorWorker({
    connection,
    taskQueue,
    providers: {
      openai: { apiKey: 'test-openai-key', baseURL: h.emulator.openaiBaseURL },
      anthropic: { apiKey: 'test-anthropic-key', baseURL: h.emulator.url },
    },
    settings: testSettings,
    ...(traced ? { tracing } : {}),
    ...(logging ? { logging } : {}),
  });
  workers.push({ worker, done: worker.run(), connection });
}

before(async () => {
  tracing = startTracing({ exporter, exportEachSpan: true, serviceName: 'tracing-test' });
  h = await startHarness({ worker: false });
  await startWorker(tracedQueue, true);
  await startWorker(untracedQueue, false);
  // What OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental turns on (config/env.ts).
  await startWorker(genAiQueue, true, { ...defaultLogSettings, genAiSpans: true });
});
after(async () => {
  for (const { worker } of workers) worker.shutdown();
  await Promise.allSettled(workers.map((w) => w.done));
  await Promise.allSettled(workers.map((w) => w.connection.close()));
  await h?.stop();
  await tracing?.shutdown();
});

function qa(label: string): LlmRequest {
  return {
    requestId: requestId(label),
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question: `What is a trace? (${label})` },
    model: 'gpt-4o-mini',
  };
}

/**
 * Spans of one request: those whose workflow is the request's or one of its children's (activity
 * spans name it `temporalWorkflowId`; workflow-side spans carry the workflow's info, `workflowId`).
 */
async function spansOf(id: string, expected: string): Promise<ReadableSpan[]> {
  const ofRequest = (): ReadableSpan[] =>
    exporter.getFinishedSpans().filter((s) => {
      const workflowId = s.attributes.temporalWorkflowId ?? s.attributes.workflowId;
      return typeof workflowId === 'string' && workflowId.startsWith(id);
    });
  // Workflow spans leave through the worker's sink when the activation completes: give them a moment.
  for (let i = 0; i < 50 && !ofRequest().some((s) => s.name === expected); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  return ofRequest();
}

describe('tracing', () => {
  it('makes one trace of a request: client start, workflow runs, activity starts and runs', async () => {
    const client = new OrchestratorClient({
      client: new Client({ connection: h.env.connection, interceptors: tracing.clientInterceptors() }),
      taskQueue: tracedQueue,
    });
    const request = qa('traced');
    await client.process(request);
    const spans = await spansOf(request.requestId, 'RunWorkflow:llmRequest');
    const names = new Set(spans.map((s) => s.name));
    for (const name of [
      'StartWorkflow:llmRequest',
      'RunWorkflow:llmRequest',
      'StartActivity:beginRequest',
      'RunActivity:beginRequest',
      'renderPrompt',
      'planRoute',
      'cacheLookup',
      'admitRequest',
      'StartActivity:invokeProvider',
      'RunActivity:invokeProvider',
    ])
      assert.ok(names.has(name), `span ${name} (got ${[...names].join(', ')})`);

    const start = spans.find((s) => s.name === 'StartWorkflow:llmRequest');
    assert.ok(start);
    const traceIds = new Set(spans.map((s) => s.spanContext().traceId));
    assert.deepEqual(
      [...traceIds],
      [start.spanContext().traceId],
      'every span is in the client start span’s trace',
    );
    const run = spans.find((s) => s.name === 'RunWorkflow:llmRequest');
    assert.equal(run?.parentSpanId, start.spanContext().spanId, 'the workflow run is a child of its start');
    const call = spans.find((s) => s.name === 'RunActivity:invokeProvider');
    const scheduled = spans.find((s) => s.name === 'StartActivity:invokeProvider');
    assert.equal(
      call?.parentSpanId,
      scheduled?.spanContext().spanId,
      'an activity run is a child of its scheduling',
    );
    assert.equal(run?.resource.attributes['service.name'], 'tracing-test');
    // The steps folded into beginRequest keep a span each, under the activity's own.
    const begin = spans.find((s) => s.name === 'RunActivity:beginRequest');
    const render = spans.find((s) => s.name === 'renderPrompt');
    assert.equal(
      render?.parentSpanId,
      begin?.spanContext().spanId,
      'a folded step is a child of its activity',
    );
  });

  it('puts the GenAI attributes on the provider call span only when opted in', async () => {
    const callOf = async (
      taskQueue: string,
      label: string,
    ): Promise<{ span?: ReadableSpan; result: LlmResult }> => {
      const client = new OrchestratorClient({
        client: new Client({ connection: h.env.connection, interceptors: tracing.clientInterceptors() }),
        taskQueue,
      });
      const request = qa(label);
      const result = await client.process(request);
      const spans = await spansOf(request.requestId, 'RunActivity:invokeProvider');
      return { span: spans.find((s) => s.name === 'RunActivity:invokeProvider'), result };
    };
    const opted = await callOf(genAiQueue, 'gen-ai');
    const attributes = opted.span?.attributes ?? {};
    assert.equal(attributes['gen_ai.operation.name'], 'chat');
    assert.equal(attributes['gen_ai.provider.name'], 'openai');
    assert.equal(attributes['gen_ai.request.model'], 'gpt-4o-mini');
    assert.deepEqual(attributes['gen_ai.response.finish_reasons'], ['stop']);
    assert.equal(attributes['gen_ai.usage.input_tokens'], opted.result.usage.inputTokens);
    assert.equal(attributes['gen_ai.usage.output_tokens'], opted.result.usage.outputTokens);
    const plain = await callOf(tracedQueue, 'no-gen-ai');
    assert.ok(plain.span, 'the plain traced worker still traces the call');
    assert.equal(plain.span.attributes['gen_ai.operation.name'], undefined);
  });

  it('traces a request sent through the HTTP API from its start, in the same trace as its workflow', async () => {
    const api = await runApiServer({
      tracing,
      port: 0,
      logger: false,
      log: () => {},
      env: { TEMPORAL_ADDRESS: h.env.address, LLM_TASK_QUEUE: tracedQueue, API_KEYS: 'trace-key:tracer' },
    });
    try {
      const request = qa('through-api');
      const response = await fetch(`${api.url}/v1/requests?wait=true`, {
        method: 'POST',
        headers: { authorization: 'Bearer trace-key', 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
      assert.equal(response.status, 200, await response.clone().text());
      const spans = await spansOf(request.requestId, 'RunWorkflow:llmRequest');
      const start = spans.find((s) => s.name === 'StartWorkflow:llmRequest');
      const run = spans.find((s) => s.name === 'RunWorkflow:llmRequest');
      assert.ok(start, 'the API started the workflow inside a span');
      assert.equal(run?.parentSpanId, start.spanContext().spanId);
      assert.equal(run?.spanContext().traceId, start.spanContext().traceId);
    } finally {
      await api.close();
    }
  });

  it('makes no span when the worker and client do not trace (the default)', async () => {
    const before = exporter.getFinishedSpans().length;
    const client = new OrchestratorClient({ client: h.env.client, taskQueue: untracedQueue });
    const request = qa('untraced');
    const result = await client.process(request);
    assert.equal(result.model, 'gpt-4o-mini');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(exporter.getFinishedSpans().length, before);
  });

  it('is off unless OTEL_TRACING or an OTLP endpoint turns it on', () => {
    assert.equal(tracingSettingsFromEnv({}), undefined);
    assert.deepEqual(tracingSettingsFromEnv({ OTEL_TRACING: 'true' }), {
      serviceName: 'llm-orchestrator',
      exporter: 'otlp',
    });
    assert.ok(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }));
    assert.equal(
      tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACING: 'false' }),
      undefined,
      'an explicit false wins',
    );
    assert.throws(() => tracingSettingsFromEnv({ OTEL_TRACING: 'yes please' }), /OTEL_TRACING must be/);
  });
});
