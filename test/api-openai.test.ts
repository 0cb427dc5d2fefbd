// The OpenAI-compatible endpoint, driven by the official `openai` client with `baseURL` pointing at
// the gateway: plain and streaming completions, models and routes, idempotency and errors. The worker's
// OpenAI traffic goes through a recording proxy, so the tests see exactly what the provider received.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import { hashKey, StaticKeyStore } from '../api/keys.js';
import { createApiServer } from '../api/server.js';
import { OrchestratorClient } from '../client/client.js';
import type { LlmResult } from '../common/request.js';
import { loadModelCatalog, loadRoutingTable } from '../config/load.js';
import { RedisStreamStore } from '../core/streaming/redis.js';
import { loadTemplateRegistry } from '../core/templates/index.js';
import { type RunningRedis, startRedis } from '../scripts/redis.js';
import { templatesDir } from '../workers/config.js';
import { createOrchestratorWorker } from '../workers/worker.js';
import { type Harness, requestId, startHarness, testSettings } from './support/harness.js';

/** Bytes of a streamed answer a cutting proxy lets through: the role chunk and a few deltas. */
const CUT_AFTER_BYTES = 1200;

const KEY = 'test-key-chat-0123456789';

interface ProviderCall {
  model: string;
  stream: boolean;
  messages: { role: string; content: string }[];
}

interface RecordingProxy {
  url: string;
  calls: ProviderCall[];
  /** Break the next `times` streamed answers after a few chunks, as a dropped provider connection. */
  cut(times: number): void;
  close(): Promise<void>;
}

/** Forwards to the emulator and keeps every chat request body the worker sent. */
async function recordingProxy(target: string): Promise<RecordingProxy> {
  const calls: ProviderCall[] = [];
  let cuts = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url?.endsWith('/chat/completions')) {
        const parsed = JSON.parse(body.toString('utf8')) as ProviderCall;
        calls.push({ model: parsed.model, stream: parsed.stream === true, messages: parsed.messages });
      }
      const upstream = httpRequest(
        new URL(req.url ?? '/', target),
        { method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          if (cuts === 0 || !String(up.headers['content-type']).includes('text/event-stream')) {
            up.pipe(res);
            return;
          }
          cuts -= 1;
          // The connection drops mid-answer, as when a provider's stream breaks: after the role chunk and a
          // few deltas, however the bytes happen to be packed into network reads.
          let room = CUT_AFTER_BYTES;
          up.on('data', (chunk: Buffer) => {
            if (room <= 0) return;
            const part = chunk.subarray(0, room);
            room -= part.length;
            if (room > 0) {
              res.write(part);
              return;
            }
            up.destroy();
            res.write(part, () => res.destroy());
          });
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    calls,
    cut: (times) => {
      cuts = times;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let h: Harness;
let redis: RunningRedis;
let store: RedisStreamStore;
let proxy: RecordingProxy;
let app: FastifyInstance;
let openai: OpenAI;
let base: string;
let stopWorker: () => Promise<void>;

before(async () => {
  redis = await startRedis();
  h = await startHarness({ worker: false });
  proxy = await recordingProxy(h.emulator.url);
  store = new RedisStreamStore({ url: redis.url });
  const { worker } = await createOrchestratorWorker({
    connection: h.env.nativeConnection,
    taskQueue: h.taskQueue,
    providers: {
      openai: { apiKey: 'test-openai-key', baseURL: proxy.url },
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
    keys: new StaticKeyStore([{ keyHash: hashKey(KEY), caller: 'chat-app' }]),
    templates: await loadTemplateRegistry(templatesDir()),
    catalog: () => catalog,
    routing: () => routing,
    logger: false,
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  openai = new OpenAI({ apiKey: KEY, baseURL: `${base}/v1`, maxRetries: 0 });
});

after(async () => {
  await app?.close();
  await stopWorker?.();
  await store?.close();
  await proxy?.close();
  await h?.stop();
  await redis?.stop();
});

function lastCall(): ProviderCall {
  const call = proxy.calls.at(-1);
  assert.ok(call, 'the provider was called');
  return call;
}

/** The workflow's own record of a request, read through the typed client. */
function workflowResult(id: string): Promise<LlmResult> {
  return new OrchestratorClient({ client: h.env.client, taskQueue: h.taskQueue }).result(id);
}

describe('chat completions with the official openai client', () => {
  it('passes the system and user messages through unchanged and answers in chat.completion form', async () => {
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You answer in one short sentence.' },
        { role: 'user', content: 'What is a durable workflow?' },
      ],
      temperature: 0.2,
      max_tokens: 200,
    });
    assert.deepEqual(lastCall().messages, [
      { role: 'system', content: 'You answer in one short sentence.' },
      { role: 'user', content: 'What is a durable workflow?' },
    ]);
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.model, 'gpt-4o-mini');
    assert.equal(completion.choices[0]?.finish_reason, 'stop');
    const content = completion.choices[0]?.message.content ?? '';
    assert.match(content, /^Emulated reply from gpt-4o-mini to: What is a durable workflow\?/);
    const result = await workflowResult(completion.id);
    assert.equal(content, result.text, 'the answer is the workflow result');
    assert.equal(completion.usage?.prompt_tokens, result.usage.inputTokens);
    assert.equal(completion.usage?.completion_tokens, result.usage.outputTokens);
  });

  it('passes a multi-turn conversation through to the provider as it was written', async () => {
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'Name a prime.' },
        { role: 'assistant', content: 'Seven.' },
        { role: 'user', content: [{ type: 'text', text: 'And a larger one?' }] },
      ],
    });
    assert.deepEqual(lastCall().messages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Name a prime.' },
      { role: 'assistant', content: 'Seven.' },
      { role: 'user', content: 'And a larger one?' },
    ]);
  });

  it('streams chunks whose text is the final answer, with usage and [DONE]', async () => {
    h.emulator.setLatency({ tokensPerSecond: 400 });
    try {
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Stream me an answer, please.' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let chunks = 0;
      let finish: string | null | undefined;
      let usage: OpenAI.CompletionUsage | undefined | null;
      let id = '';
      for await (const chunk of stream) {
        id = chunk.id;
        chunks += 1;
        text += chunk.choices[0]?.delta.content ?? '';
        finish ??= chunk.choices[0]?.finish_reason;
        if (chunk.usage) usage = chunk.usage;
      }
      assert.ok(chunks > 5, `${chunks} chunks`);
      assert.equal(lastCall().stream, true, 'the provider was asked to stream');
      const result = await workflowResult(id);
      assert.equal(text, result.text);
      assert.equal(finish, 'stop');
      assert.equal(usage?.completion_tokens, result.usage.outputTokens);
    } finally {
      h.emulator.reset();
    }
  });

  it("ends the SSE body with OpenAI's `data: [DONE]`", async () => {
    const response = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Done?' }],
      }),
    });
    assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
    const body = await response.text();
    assert.ok(body.endsWith('data: [DONE]\n\n'), body.slice(-200));
    const chunks = body
      .split('\n\n')
      .filter((block) => block.startsWith('data: {'))
      .map((block) => JSON.parse(block.slice('data: '.length)) as OpenAI.ChatCompletionChunk);
    assert.deepEqual(chunks[0]?.choices[0]?.delta, { role: 'assistant', content: '' });
    assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, 'stop');
  });

  it('a stream that breaks mid-answer ends with an error, not a spliced answer; re-sending gets the full answer', async () => {
    h.emulator.setLatency({ tokensPerSecond: 400 });
    proxy.cut(1);
    try {
      const key = requestId('chat-broken');
      const body = {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user' as const, content: 'Tell me about streams.' }],
        stream: true as const,
      };
      const options = { headers: { 'Idempotency-Key': key } };
      let partial = '';
      const error = await (async () => {
        for await (const chunk of await openai.chat.completions.create(body, options)) {
          partial += chunk.choices[0]?.delta.content ?? '';
        }
      })().catch((e: unknown) => e);
      assert.ok(error instanceof OpenAI.APIError, `the stream must fail, got ${String(error)}`);
      assert.equal(error.code, 'StreamInterruptedError');
      assert.match(error.message, /interrupted.*gpt-4o-mini failed/);
      assert.ok(partial.length > 0, 'part of the first try had been sent');

      const result = await workflowResult(key);
      assert.deepEqual(
        result.attempts.map((a) => [a.model, a.outcome, a.try]),
        [
          ['gpt-4o-mini', 'failed', 1],
          ['gpt-4o-mini', 'success', 2],
        ],
      );
      let text = '';
      for await (const chunk of await openai.chat.completions.create(body, options)) {
        text += chunk.choices[0]?.delta.content ?? '';
      }
      assert.equal(text, result.text, 're-sent, the stream carries only the answer that counted');
    } finally {
      proxy.cut(0);
      h.emulator.reset();
    }
  });

  it('validates a json_schema response_format and answers with the validated JSON', async () => {
    const schema = {
      type: 'object',
      required: ['city', 'population'],
      properties: { city: { type: 'string' }, population: { type: 'integer' } },
      additionalProperties: false,
    };
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'The largest city in France, as JSON.' }],
      response_format: { type: 'json_schema', json_schema: { name: 'city', schema } },
    });
    const answer = JSON.parse(completion.choices[0]?.message.content ?? '') as Record<string, unknown>;
    assert.equal(typeof answer.city, 'string');
    assert.ok(Number.isInteger(answer.population));
    assert.deepEqual(answer, (await workflowResult(completion.id)).output);
  });

  it('routes a task type named as the model', async () => {
    const completion = await openai.chat.completions.create({
      model: 'code_generation',
      messages: [{ role: 'user', content: 'Write a function that adds two numbers.' }],
    });
    const routing = loadRoutingTable(loadModelCatalog());
    assert.equal(completion.model, routing.routes.code_generation?.preferredModels[0]);
  });

  it('lists catalog models and routes', async () => {
    const ids: string[] = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    assert.ok(ids.includes('gpt-4o-mini') && ids.includes('claude-haiku-4-5'), ids.join(', '));
    assert.ok(ids.includes('general_qa') && ids.includes('code_generation'));
  });

  it('runs a request once for two calls with the same Idempotency-Key', async () => {
    const key = requestId('chat-idem');
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Once only?' }] };
    const before = proxy.calls.length;
    const first = await openai.chat.completions.create(body, { headers: { 'Idempotency-Key': key } });
    const second = await openai.chat.completions.create(body, { headers: { 'Idempotency-Key': key } });
    assert.equal(first.id, key);
    assert.equal(second.id, key);
    assert.equal(second.choices[0]?.message.content, first.choices[0]?.message.content);
    assert.equal(proxy.calls.length - before, 1);
  });
});

describe('chat completion errors, as the openai client sees them', () => {
  it('an unknown model is a NotFoundError naming the known ones', async () => {
    const error = await openai.chat.completions
      .create({ model: 'gpt-99', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    assert.ok(error instanceof OpenAI.NotFoundError, String(error));
    assert.equal(error.code, 'UnknownModelError');
    assert.match(error.message, /gpt-99.*gpt-4o-mini/);
  });

  it('a wrong key is an AuthenticationError and starts nothing', async () => {
    const before = proxy.calls.length;
    const stranger = new OpenAI({ apiKey: 'wrong', baseURL: `${base}/v1`, maxRetries: 0 });
    const error = await stranger.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    assert.ok(error instanceof OpenAI.AuthenticationError, String(error));
    assert.equal(proxy.calls.length, before);
  });

  it('a malformed body is a BadRequestError naming the field', async () => {
    const error = await openai.chat.completions
      .create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'narrator', content: 'x' } as unknown as OpenAI.ChatCompletionMessageParam],
      })
      .catch((e: unknown) => e);
    assert.ok(error instanceof OpenAI.BadRequestError, String(error));
    assert.match(error.message, /body\/messages\/0\/role/);
    assert.equal(error.param, 'messages[0].role');
  });

  it('when every model fails, the failure is final: typed, and not retried by the client', async () => {
    h.emulator.addFault({ model: '*', status: 400, times: 20 });
    const before = proxy.calls.length;
    const retrying = new OpenAI({ apiKey: KEY, baseURL: `${base}/v1`, maxRetries: 2 });
    try {
      const error = await retrying.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'fail please' }] })
        .catch((e: unknown) => e);
      assert.ok(error instanceof OpenAI.APIError, String(error));
      assert.equal(error.status, 502);
      assert.equal(error.code, 'AllModelsFailedError');
      assert.equal(error.headers?.get('x-should-retry'), 'false');
      const toOpenAi = proxy.calls.slice(before).filter((c) => c.model.startsWith('gpt-4o-mini'));
      assert.equal(toOpenAi.length, 1, 'one workflow ran: the client did not retry it');
    } finally {
      h.emulator.clearFaults();
    }
  });
});
