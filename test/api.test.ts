// The HTTP API end to end: a real dev server, worker, emulator and Redis behind the Fastify gateway,
// exercised over HTTP with fetch — keys, idempotency, errors, status, cancel, SSE and re-attaching.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { hashKey, StaticKeyStore } from '../api/keys.js';
import { createApiServer } from '../api/server.js';
import { OrchestratorClient } from '../client/client.js';
import type { LlmResult } from '../common/request.js';
import { loadModelCatalog, loadRoutingTable } from '../config/load.js';
import { RedisStreamStore } from '../core/streaming/redis.js';
import { STREAM_START } from '../core/streaming/types.js';
import { loadTemplateRegistry } from '../core/templates/index.js';
import { type RunningRedis, startRedis } from '../scripts/redis.js';
import { templatesDir } from '../workers/config.js';
import { createOrchestratorWorker } from '../workers/worker.js';
import { type Harness, requestId, startHarness, testSettings } from './support/harness.js';
import { readSse } from './support/sse.js';

const KEY = 'test-key-billing-0123456789';
const TENANT_KEY = 'test-key-tenant-0123456789';
const OTHER_KEY = 'test-key-other-0123456789';

let h: Harness;
let redis: RunningRedis;
let store: RedisStreamStore;
let app: FastifyInstance;
let base: string;
let stopWorker: () => Promise<void>;
const logLines: string[] = [];

before(async () => {
  redis = await startRedis();
  h = await startHarness({ worker: false });
  store = new RedisStreamStore({ url: redis.url });
  const { worker } = await createOrchestratorWorker({
    connection: h.env.nativeConnection,
    taskQueue: h.taskQueue,
    providers: {
      openai: { apiKey: 'test-openai-key', baseURL: h.emulator.openaiBaseURL },
      anthropic: { apiKey: 'test-anthropic-key', baseURL: h.emulator.url },
    },
    settings: testSettings,
    streams: store,
  });
  const running = worker.run();
  stopWorker = async () => {
    worker.shutdown();
    await running;
  };
  const catalog = loadModelCatalog();
  const routing = loadRoutingTable(catalog);
  app = await createApiServer({
    client: new OrchestratorClient({ client: h.env.client, taskQueue: h.taskQueue, streams: store }),
    keys: new StaticKeyStore([
      { keyHash: hashKey(KEY), caller: 'billing' },
      { keyHash: hashKey(TENANT_KEY), caller: 'search', tenant: 'acme' },
      { keyHash: hashKey(OTHER_KEY), caller: 'other' },
    ]),
    templates: await loadTemplateRegistry(templatesDir()),
    catalog: () => catalog,
    routing: () => routing,
    logger: { level: 'info', stream: { write: (line: string) => void logLines.push(line) } },
    readiness: { streams: () => store.ping() },
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

after(async () => {
  await app?.close();
  await stopWorker?.();
  await store?.close();
  await h?.stop();
  await redis?.stop();
});

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  path: string,
  options: { body?: unknown; key?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const key = options.key === undefined ? KEY : options.key;
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined
      ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
      : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

function qa(label: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question: `What does the gateway do? (${label})` },
    model: 'gpt-4o-mini',
    ...extra,
  };
}

const errorOf = (answer: Answer): { type?: string; message?: string } =>
  (answer.body.error ?? {}) as { type?: string; message?: string };

describe('API keys', () => {
  it('refuses a request without a key with 401 and starts nothing', async () => {
    const calls = h.emulator.calls().length;
    const id = requestId('nokey');
    const refused = await call('POST', '/v1/requests?wait=true', {
      body: qa('nokey'),
      key: null,
      headers: { 'idempotency-key': id },
    });
    assert.equal(refused.status, 401);
    assert.equal(errorOf(refused).type, 'AuthenticationError');
    assert.match(errorOf(refused).message ?? '', /Authorization: Bearer/);
    assert.equal((await call('GET', `/v1/requests/${id}`)).status, 404, 'no request was started');
    assert.equal(h.emulator.calls().length, calls, 'no provider call');
  });

  it('refuses an unknown key, in either header, with 401', async () => {
    const bearer = await call('GET', '/v1/templates', { key: 'not-a-key' });
    assert.equal(bearer.status, 401);
    assert.equal(errorOf(bearer).message, 'the API key is not valid');
    const header = await call('GET', '/v1/templates', { key: null, headers: { 'x-api-key': 'nope' } });
    assert.equal(header.status, 401);
    const good = await call('GET', '/v1/templates', { key: null, headers: { 'x-api-key': KEY } });
    assert.equal(good.status, 200);
  });

  it("makes the key's caller (with its tenant) the request's caller, and hides requests from other callers", async () => {
    const id = requestId('tenant');
    const done = await call('POST', '/v1/requests?wait=true', {
      body: qa('tenant'),
      key: TENANT_KEY,
      headers: { 'idempotency-key': id },
    });
    assert.equal(done.status, 200);
    const description = await h.env.client.workflow.getHandle(id).describe();
    assert.equal(description.memo?.caller, 'acme/search');
    assert.deepEqual(description.searchAttributes.LlmCaller, ['acme/search']);
    assert.equal((await call('GET', `/v1/requests/${id}`, { key: TENANT_KEY })).status, 200);
    assert.equal((await call('GET', `/v1/requests/${id}`, { key: OTHER_KEY })).status, 404);
    // Nor can another caller take the id over.
    const taken = await call('POST', '/v1/requests', {
      body: qa('tenant'),
      key: OTHER_KEY,
      headers: { 'idempotency-key': id },
    });
    assert.equal(taken.status, 409);
  });

  it('never writes a key to the log', async () => {
    await call('GET', '/v1/templates', { headers: { 'x-api-key': KEY }, key: null });
    await call('GET', '/v1/templates');
    const log = logLines.join('');
    assert.match(log, /\/v1\/templates/, 'requests are logged, with their headers');
    assert.match(log, /"authorization":"\[redacted\]"/);
    assert.match(log, /"x-api-key":"\[redacted\]"/);
    assert.ok(!log.includes(KEY), 'the key itself appears nowhere');
  });

  it("logs one JSON object per line in the worker's shape: time, level by name, message", () => {
    const lines = logLines.join('').split('\n').filter(Boolean);
    assert.ok(lines.length > 0);
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      assert.equal(typeof entry.message, 'string', line);
      assert.ok(['trace', 'debug', 'info', 'warn', 'error', 'fatal'].includes(String(entry.level)), line);
      assert.ok(!Number.isNaN(Date.parse(String(entry.time))), line);
      assert.equal(entry.pid, undefined);
    }
  });
});

describe('POST /v1/requests', () => {
  it('with wait=true answers with the result', async () => {
    const answer = await call('POST', '/v1/requests?wait=true', { body: qa('wait') });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.status, 'completed');
    const result = answer.body.result as LlmResult;
    assert.equal(result.model, 'gpt-4o-mini');
    assert.match(result.text, /Emulated reply from gpt-4o-mini/);
    assert.equal(answer.headers.get('x-request-id'), result.requestId);
    assert.deepEqual(answer.body.attempts, result.attempts);
  });

  it('without wait answers 202 at once; GET then shows the result', async () => {
    h.emulator.setLatency({ holdMs: 300 });
    try {
      const started = await call('POST', '/v1/requests', { body: qa('later') });
      assert.equal(started.status, 202);
      assert.equal(started.body.status, 'running');
      const id = String(started.body.requestId);
      assert.match(id, /^req-/);
      assert.deepEqual(started.body.links, {
        self: `/v1/requests/${id}`,
        stream: `/v1/requests/${id}/stream`,
        cancel: `/v1/requests/${id}/cancel`,
      });
      let view = await call('GET', `/v1/requests/${id}`);
      for (let i = 0; i < 100 && view.body.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        view = await call('GET', `/v1/requests/${id}`);
      }
      assert.equal(view.status, 200);
      assert.equal(view.body.status, 'completed');
      assert.equal((view.body.result as LlmResult).requestId, id);
    } finally {
      h.emulator.reset();
    }
  });

  it('a duplicate POST with the same Idempotency-Key returns the same request, and the provider is called once', async () => {
    const id = requestId('idem');
    const before = h.emulator.calls().length;
    const first = await call('POST', '/v1/requests?wait=true', {
      body: qa('idem'),
      headers: { 'idempotency-key': id },
    });
    const second = await call('POST', '/v1/requests?wait=true', {
      body: qa('idem'),
      headers: { 'idempotency-key': id },
    });
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.equal(first.body.requestId, id);
    assert.deepEqual(second.body, first.body);
    assert.equal(h.emulator.calls().length - before, 1, 'one provider call for two POSTs');
  });

  it('a malformed body gets 400 naming the field, and starts nothing', async () => {
    const calls = h.emulator.calls().length;
    const wrongType = await call('POST', '/v1/requests', { body: qa('bad', { variables: 'not an object' }) });
    assert.equal(wrongType.status, 400);
    assert.equal(errorOf(wrongType).type, 'InvalidRequestError');
    assert.match(errorOf(wrongType).message ?? '', /body\/variables must be object/);

    const missing = await call('POST', '/v1/requests', { body: { taskType: 'general_qa', variables: {} } });
    assert.equal(missing.status, 400);
    assert.match(errorOf(missing).message ?? '', /missing required property "templateId"/);

    const unknown = await call('POST', '/v1/requests', { body: qa('bad', { caller: 'someone-else' }) });
    assert.equal(unknown.status, 400);
    assert.match(errorOf(unknown).message ?? '', /unknown property "caller"/);

    const notJson = await call('POST', '/v1/requests', { body: '{"taskType": ' });
    assert.equal(notJson.status, 400);
    assert.equal(errorOf(notJson).type, 'InvalidRequestError');

    const badKey = await call('POST', '/v1/requests', {
      body: qa('bad'),
      headers: { 'idempotency-key': 'a b' },
    });
    assert.equal(badKey.status, 400);
    assert.match(errorOf(badKey).message ?? '', /Idempotency-Key/);
    assert.equal(h.emulator.calls().length, calls);
  });

  it('a request the workflow refuses answers with its typed error', async () => {
    const answer = await call('POST', '/v1/requests?wait=true', { body: qa('novars', { variables: {} }) });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.status, 'failed');
    assert.equal(errorOf(answer).type, 'MissingVariablesError');
    assert.match(errorOf(answer).message ?? '', /question/);
  });
});

describe('GET /v1/requests/{id}', () => {
  it('an unknown id gets 404', async () => {
    const answer = await call('GET', '/v1/requests/no-such-request');
    assert.equal(answer.status, 404);
    assert.equal(errorOf(answer).type, 'NotFoundError');
    assert.match(errorOf(answer).message ?? '', /no-such-request/);
  });

  it('a failed request shows its typed error and every attempt', async () => {
    h.emulator.addFault({ model: '*', status: 400, times: 20 });
    try {
      const id = requestId('failing');
      const failed = await call('POST', '/v1/requests?wait=true', {
        body: qa('failing', { fallbackModels: ['claude-haiku-4-5'] }),
        headers: { 'idempotency-key': id },
      });
      assert.equal(failed.status, 502);
      const view = await call('GET', `/v1/requests/${id}`);
      assert.equal(view.status, 200);
      assert.equal(view.body.status, 'failed');
      assert.equal(errorOf(view).type, 'AllModelsFailedError');
      assert.match(errorOf(view).message ?? '', /gpt-4o-mini: BadRequestError/);
      const attempts = view.body.attempts as { model: string; outcome: string; errorType?: string }[];
      const tried = attempts.filter((a) => a.outcome === 'failed');
      assert.ok(tried.length >= 2, `${tried.length} failed attempts`);
      assert.deepEqual(
        tried.slice(0, 2).map((a) => [a.model, a.errorType]),
        [
          ['gpt-4o-mini', 'BadRequestError'],
          ['claude-haiku-4-5', 'BadRequestError'],
        ],
      );
      assert.deepEqual(failed.body.attempts, view.body.attempts);
    } finally {
      h.emulator.clearFaults();
    }
  });

  it('cancel stops a running request, and GET then says cancelled', async () => {
    h.emulator.setLatency({ holdMs: 5000 });
    try {
      const started = await call('POST', '/v1/requests', { body: qa('cancel') });
      const id = String(started.body.requestId);
      for (let i = 0; i < 100 && h.emulator.calls().at(-1)?.status !== 'pending'; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const cancelled = await call('POST', `/v1/requests/${id}/cancel`);
      assert.equal(cancelled.status, 202);
      let view = await call('GET', `/v1/requests/${id}`);
      for (let i = 0; i < 100 && view.body.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        view = await call('GET', `/v1/requests/${id}`);
      }
      assert.equal(view.body.status, 'cancelled');
      assert.equal(errorOf(view).type, 'RequestCancelledError');
      const again = await call('POST', `/v1/requests/${id}/cancel`);
      assert.equal(again.status, 409);
      assert.equal((await call('POST', '/v1/requests/nope/cancel')).status, 404);
    } finally {
      h.emulator.reset();
    }
  });
});

describe('streaming over SSE', () => {
  it('POST with stream: true serves the deltas with entry ids, then the result; Last-Event-ID re-attaches mid-stream', async () => {
    h.emulator.setLatency({ tokensPerSecond: 40 });
    try {
      const id = requestId('sse');
      const response = await fetch(`${base}/v1/requests`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${KEY}`,
          'idempotency-key': id,
        },
        body: JSON.stringify(qa('sse', { stream: true })),
      });
      assert.equal(response.status, 200);
      const first = await readSse(response, (m) => m.filter((x) => x.event === 'delta').length === 4);
      assert.equal(h.emulator.calls().at(-1)?.status, 'pending', 'the answer is still being generated');
      const lastId = first.at(-1)?.id;
      assert.ok(lastId);

      const again = await fetch(`${base}/v1/requests/${id}/stream`, {
        headers: { authorization: `Bearer ${KEY}`, 'last-event-id': lastId },
      });
      assert.equal(again.status, 200);
      const rest = await readSse(again);
      const final = rest.at(-1);
      assert.equal(final?.event, 'result');
      const result = JSON.parse(final?.data ?? '{}') as LlmResult;

      const stored = await store.read(id, STREAM_START, { count: 10_000 });
      const events = [...first, ...rest.slice(0, -1)];
      assert.deepEqual(
        events.map((m) => m.id),
        stored.map((e) => e.id),
        'each stored event once, in order, across both connections',
      );
      assert.deepEqual(
        events.map((m) => m.event),
        stored.map((e) => e.event.type),
      );
      const text = events
        .filter((m) => m.event === 'delta')
        .map((m) => (JSON.parse(m.data) as { text: string }).text)
        .join('');
      assert.equal(text, result.text);
      assert.ok(rest.filter((m) => m.event === 'delta').length > 3, 'more deltas came after re-attaching');
    } finally {
      h.emulator.reset();
    }
  });

  it('a failed streaming request ends with an error event carrying the type', async () => {
    const response = await fetch(`${base}/v1/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify(qa('sse-fail', { stream: true, variables: {} })),
    });
    const messages = await readSse(response);
    assert.equal(messages.at(-1)?.event, 'error');
    assert.equal(JSON.parse(messages.at(-1)?.data ?? '{}').type, 'MissingVariablesError');
  });

  it('a Last-Event-ID that is not an entry id gets 400', async () => {
    const done = await call('POST', '/v1/requests?wait=true', { body: qa('badid') });
    const answer = await call('GET', `/v1/requests/${String(done.body.requestId)}/stream`, {
      headers: { 'last-event-id': 'yesterday' },
    });
    assert.equal(answer.status, 400);
  });
});

describe('templates, health and metrics', () => {
  it('lists templates and shows one in full for debugging', async () => {
    const list = await call('GET', '/v1/templates');
    const ids = (list.body.templates as { id: string }[]).map((t) => t.id);
    assert.ok(ids.includes('general_qa') && ids.includes('chat'), ids.join(', '));
    const one = await call('GET', '/debug/templates/general_qa?version=1.0');
    assert.equal(one.status, 200);
    assert.equal(one.body.version, '1.0');
    assert.match(String(one.body.userMessageTemplate), /Question: \{\{ question \}\}/);
    assert.deepEqual(one.body.requiredVariables, ['question']);
    assert.equal(one.body.path, undefined, 'server paths stay private');
    assert.equal((await call('GET', '/debug/templates/nope')).status, 404);
    assert.equal((await call('GET', '/debug/templates/general_qa', { key: null })).status, 401);
  });

  it('answers probes and metrics without a key', async () => {
    assert.deepEqual((await call('GET', '/health', { key: null })).body, { status: 'ok' });
    const ready = await call('GET', '/health/ready', { key: null });
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body.checks, { temporal: { ok: true }, streams: { ok: true } });
    const metrics = await fetch(`${base}/metrics`);
    const text = await metrics.text();
    assert.match(
      text,
      /llm_api_http_requests_total\{method="POST",route="\/v1\/requests",status="200"\} \d+/,
    );
    assert.match(
      text,
      /llm_api_http_requests_total\{method="GET",route="\/v1\/templates",status="401"\} \d+/,
    );
  });

  it('an unknown route is a JSON 404', async () => {
    const answer = await call('GET', '/v2/anything');
    assert.equal(answer.status, 404);
    assert.equal(errorOf(answer).type, 'NotFoundError');
  });
});
