// Streaming on real Redis Streams (and the in-process store, which must behave the same): the store's
// contract, then end to end through a worker that publishes and the client's `stream()` that reads,
// including a reader that re-attaches mid-stream and a provider stream that breaks mid-answer.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { OrchestratorClient } from '../client/client.js';
import { type RequestStreamEvent, StreamedText } from '../client/stream.js';
import type { LlmRequest, LlmResult } from '../common/request.js';
import { InProcessStreamStore } from '../core/streaming/memory.js';
import { RedisStreamStore } from '../core/streaming/redis.js';
import {
  compareEntryIds,
  STREAM_START,
  type StreamEvent,
  type StreamStore,
} from '../core/streaming/types.js';
import { type RunningRedis, startRedis } from '../scripts/redis.js';
import { createOrchestratorWorker } from '../workers/worker.js';
import { type Harness, requestId, startHarness } from './support/harness.js';

/** Bytes of a streamed answer a cutting proxy lets through: the role chunk and a few deltas. */
const CUT_AFTER_BYTES = 1200;

let redis: RunningRedis;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

const delta = (text: string): StreamEvent => ({ type: 'delta', model: 'm', try: 1, text });

function storeContract(name: string, open: () => StreamStore): void {
  describe(`${name} stream store`, () => {
    let store: StreamStore;
    before(() => {
      store = open();
    });
    after(async () => {
      await store.close();
    });

    it('reads every event in order from the start, and only later ones after an id', async () => {
      const id = requestId('contract');
      for (const text of ['a', 'b', 'c']) await store.publish(id, delta(text));
      const all = await store.read(id, STREAM_START);
      assert.deepEqual(
        all.map((e) => (e.event.type === 'delta' ? e.event.text : '')),
        ['a', 'b', 'c'],
      );
      for (let i = 1; i < all.length; i++) {
        assert.ok(compareEntryIds(all[i]?.id ?? '', all[i - 1]?.id ?? '') > 0, 'ids increase');
      }
      const rest = await store.read(id, all[0]?.id ?? '');
      assert.deepEqual(
        rest.map((e) => e.id),
        all.slice(1).map((e) => e.id),
      );
      assert.deepEqual(await store.read(id, all[2]?.id ?? ''), []);
    });

    it('a blocking read waits for the next event and returns it at once', async () => {
      const id = requestId('block');
      let settled = false;
      const reading = store.read(id, STREAM_START, { blockMs: 60_000 }).finally(() => {
        settled = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(settled, false, 'the read waits while the stream is empty');
      await store.publish(id, delta('late'));
      // Woken by the event (a timeout would come after a minute, and empty).
      const entries = await reading;
      assert.equal(entries.length, 1);
    });

    it('a blocking read ends empty on timeout and at once on abort', async () => {
      const id = requestId('abort');
      const timedOut = Date.now();
      assert.deepEqual(await store.read(id, STREAM_START, { blockMs: 200 }), []);
      assert.ok(Date.now() - timedOut >= 150);
      const controller = new AbortController();
      let settled = false;
      const aborted = store
        .read(id, STREAM_START, { blockMs: 600_000, signal: controller.signal })
        .finally(() => {
          settled = true;
        });
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(settled, false, 'the read waits until it is aborted');
      controller.abort();
      // Ended by the abort: its block would last ten minutes.
      assert.deepEqual(await aborted, []);
      // The store still works after an aborted read.
      await store.publish(id, delta('after'));
      assert.equal((await store.read(id, STREAM_START, { blockMs: 1000 })).length, 1);
    });
  });
}

storeContract('Redis', () => new RedisStreamStore({ url: redis.url }));
storeContract('in-process', () => new InProcessStreamStore());

describe('Redis stream keys', () => {
  it('live at llm:stream:<requestId>, are trimmed to about maxLength and expire after ttlSeconds', async () => {
    const store = new RedisStreamStore({ url: redis.url, maxLength: 100, ttlSeconds: 60 });
    const raw = new Redis(redis.url);
    try {
      const id = requestId('bounded');
      for (let i = 0; i < 1000; i++) await store.publish(id, delta(String(i)));
      const length = await raw.xlen(`llm:stream:${id}`);
      // MAXLEN ~ trims whole macro nodes: about 100, never the full 1000.
      assert.ok(length >= 100 && length < 300, `length ${length}`);
      const ttl = await raw.ttl(`llm:stream:${id}`);
      assert.ok(ttl > 0 && ttl <= 60, `ttl ${ttl}`);
      const newest = (await store.read(id, STREAM_START, { count: 10_000 })).at(-1)?.event;
      assert.deepEqual(newest, delta('999'), 'trimming drops the oldest entries, never the newest');
    } finally {
      raw.disconnect();
      await store.close();
    }
  });
});

/** A pass-through proxy to the emulator's OpenAI API that can cut streamed answers after a few chunks. */
async function cuttingProxy(
  target: string,
): Promise<{ url: string; cut(times: number): void; close(): Promise<void> }> {
  let cuts = 0;
  const server: Server = createServer((req, res) => {
    const upstream = httpRequest(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        const streaming = String(up.headers['content-type']).includes('text/event-stream');
        if (!streaming || cuts === 0) {
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
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
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

describe('streaming a request end to end', () => {
  let h: Harness;
  let store: RedisStreamStore;
  let client: OrchestratorClient;
  let proxy: Awaited<ReturnType<typeof cuttingProxy>>;
  let stopWorker: () => Promise<void>;

  before(async () => {
    h = await startHarness({ worker: false });
    proxy = await cuttingProxy(h.emulator.url);
    store = new RedisStreamStore({ url: redis.url });
    const { worker } = await createOrchestratorWorker({
      connection: h.env.nativeConnection,
      taskQueue: h.taskQueue,
      providers: {
        openai: { apiKey: 'test-openai-key', baseURL: proxy.url },
        anthropic: { apiKey: 'test-anthropic-key', baseURL: h.emulator.url },
      },
      settings: {
        retry: { maxAttempts: 2, initialIntervalMs: 50, backoffCoefficient: 1, maxIntervalMs: 50 },
      },
      streams: store,
    });
    const running = worker.run();
    stopWorker = async () => {
      worker.shutdown();
      await running;
    };
    client = new OrchestratorClient({ client: h.env.client, taskQueue: h.taskQueue, streams: store });
  });
  after(async () => {
    await stopWorker?.();
    await store?.close();
    await proxy?.close();
    await h?.stop();
  });

  function qa(label: string, extra: Partial<LlmRequest> = {}): LlmRequest {
    return {
      requestId: requestId(label),
      taskType: 'general_qa',
      templateId: 'general_qa',
      variables: { question: `How do streams work? (${label})` },
      model: 'gpt-4o-mini',
      ...extra,
    };
  }

  async function collect(events: AsyncIterable<RequestStreamEvent>): Promise<{
    events: RequestStreamEvent[];
    result: LlmResult;
  }> {
    const seen: RequestStreamEvent[] = [];
    let result: LlmResult | undefined;
    for await (const event of events) {
      if (event.type === 'result') result = event.result;
      else seen.push(event);
    }
    assert.ok(result, 'the stream ends with the result');
    return { events: seen, result };
  }

  it("yields the answer's deltas, whose concatenation is the workflow's final text, then the result", async () => {
    h.emulator.setLatency({ tokensPerSecond: 400 });
    try {
      const { events, result } = await collect(client.stream(qa('deltas')));
      const deltas = events.filter((e) => e.type === 'delta');
      assert.ok(deltas.length > 5, `${deltas.length} deltas`);
      assert.equal(deltas.map((e) => (e.type === 'delta' ? e.text : '')).join(''), result.text);
      assert.deepEqual(
        events.filter((e) => e.type !== 'delta').map((e) => e.type),
        ['try_started', 'try_succeeded'],
      );
      assert.match(result.text, /Emulated reply from gpt-4o-mini/);
      const call = h.emulator.calls().at(-1);
      assert.equal(call?.stream, true, 'the provider was called with streaming on');
    } finally {
      h.emulator.reset();
    }
  });

  it('a reader that re-attaches from its last entry id gets the rest, without gaps or duplicates', async () => {
    h.emulator.setLatency({ tokensPerSecond: 40 });
    try {
      const request = qa('reattach');
      const first: RequestStreamEvent[] = [];
      const controller = new AbortController();
      for await (const event of client.stream(request, { signal: controller.signal })) {
        first.push(event);
        if (first.filter((e) => e.type === 'delta').length === 4) break;
      }
      controller.abort();
      const last = first.at(-1);
      assert.ok(last && last.type !== 'result');
      assert.equal(h.emulator.calls().at(-1)?.status, 'pending', 'the answer is still being generated');

      const { events: rest, result } = await collect(client.follow(request.requestId, { afterId: last.id }));
      const restDeltas = rest.filter((e) => e.type === 'delta');
      assert.ok(restDeltas.length > 3, `${restDeltas.length} deltas after re-attaching`);

      const stored = await store.read(request.requestId, STREAM_START, { count: 10_000 });
      const ids = (events: RequestStreamEvent[]): string[] => events.map((e) => ('id' in e ? e.id : ''));
      assert.deepEqual(
        [...ids(first), ...ids(rest)],
        stored.map((e) => e.id),
        'every entry exactly once, in order',
      );
      const text = [...first, ...rest].map((e) => (e.type === 'delta' ? e.text : '')).join('');
      assert.equal(text, result.text);
    } finally {
      h.emulator.reset();
    }
  });

  it('tells the reader when a stream breaks mid-answer and the request falls back to another model', async () => {
    h.emulator.setLatency({ tokensPerSecond: 400 });
    proxy.cut(2); // both tries of gpt-4o-mini break after a few chunks
    try {
      const request = qa('broken', { fallbackModels: ['claude-haiku-4-5'] });
      const text = new StreamedText();
      const voided: RequestStreamEvent[] = [];
      const { events, result } = await collect(
        (async function* () {
          for await (const event of client.stream(request)) {
            if (text.apply(event)) voided.push(event);
            yield event;
          }
        })(),
      );
      assert.equal(result.model, 'claude-haiku-4-5');
      const failures = events.filter((e) => e.type === 'try_failed');
      assert.deepEqual(
        failures.map((e) => [e.model, e.try]),
        [
          ['gpt-4o-mini', 1],
          ['gpt-4o-mini', 2],
        ],
      );
      assert.equal(voided.length, 2, 'the text of both broken tries was voided by a try_failed event');
      assert.ok(voided.every((e) => e.type === 'try_failed'));
      // Text of the broken tries reached the reader before each failure was announced.
      const firstFailure = events.findIndex((e) => e.type === 'try_failed');
      assert.ok(events.slice(0, firstFailure).some((e) => e.type === 'delta'));
      assert.equal(text.text, result.text, 'the answer after the last new try is the final text');
      assert.equal(text.discardedTries, 2);
      assert.deepEqual(
        result.attempts.map((a) => [a.model, a.outcome]),
        [
          ['gpt-4o-mini', 'failed'],
          ['gpt-4o-mini', 'failed'],
          ['claude-haiku-4-5', 'success'],
        ],
      );
    } finally {
      proxy.cut(0);
      h.emulator.reset();
    }
  });

  it('a failed streaming request ends its stream with the typed failure', async () => {
    const failing = client.stream(qa('missing', { variables: {} }));
    await assert.rejects(
      (async () => {
        for await (const _ of failing);
      })(),
      (error: Error & { type?: string }) => error.type === 'MissingVariablesError',
    );
  });
});
