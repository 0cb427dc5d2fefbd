import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import OpenAI from 'openai';
import { emulatorCommand, runEmulatorCommand } from '../emulator/main.js';
import { schemaInstance } from '../emulator/schemaInstance.js';
import { createEmulator, type Emulator } from '../emulator/server.js';

const ajv = new Ajv({ strict: false });
addFormats.default(ajv);

/** A schema touching most of what the instance builder supports. */
const ORDER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'customer', 'items', 'status', 'createdAt', 'total', 'note', 'kind'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    customer: { $ref: '#/$defs/customer' },
    items: { type: 'array', minItems: 3, maxItems: 5, items: { $ref: '#/definitions/item' } },
    status: { enum: ['pending', 'paid', 'shipped'] },
    createdAt: { type: 'string', format: 'date-time' },
    total: { type: 'number', minimum: 10, maximum: 20 },
    note: { anyOf: [{ type: 'null' }, { type: 'string', minLength: 12, maxLength: 40 }] },
    kind: { const: 'order' },
    tags: { type: 'array', items: { type: 'string' }, uniqueItems: true, minItems: 2 },
    flags: { type: ['boolean', 'null'] },
  },
  $defs: {
    customer: {
      type: 'object',
      required: ['email', 'website', 'age'],
      properties: {
        email: { type: 'string', format: 'email' },
        website: { type: 'string', format: 'uri' },
        age: { type: 'integer', minimum: 18, exclusiveMaximum: 21 },
        code: { type: 'string', pattern: '^[A-Z]{3}-\\d+$' },
      },
    },
  },
  definitions: {
    item: {
      type: 'object',
      required: ['sku', 'quantity'],
      properties: {
        sku: { type: 'string', minLength: 3 },
        quantity: { type: 'integer', minimum: 1, maximum: 9 },
      },
    },
  },
};

const WEATHER_TOOL_SCHEMA = {
  type: 'object' as const,
  required: ['city', 'unit', 'days'],
  properties: {
    city: { type: 'string', minLength: 2 },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    days: { type: 'integer', minimum: 1, maximum: 7 },
    coordinates: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 },
  },
};

function assertValid(schema: object, value: unknown): void {
  const validate = ajv.compile(schema);
  assert.ok(validate(value), `invalid instance ${JSON.stringify(value)}: ${ajv.errorsText(validate.errors)}`);
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('provider emulator', () => {
  let emu: Emulator;
  let openai: OpenAI;
  let anthropic: Anthropic;

  before(async () => {
    emu = await createEmulator({ port: 0 });
    openai = new OpenAI({ apiKey: 'sk-test', baseURL: emu.openaiBaseURL, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: emu.url, maxRetries: 0 });
  });
  after(async () => emu.close());
  beforeEach(() => emu.reset());

  const ask = (content: string, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) =>
    openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }], ...extra });

  test('OpenAI completion has the real shape and plausible usage', async () => {
    const completion = await ask('What is the capital of France?');
    assert.match(completion.id, /^chatcmpl-/);
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.model, 'gpt-4o');
    assert.match(completion.system_fingerprint ?? '', /^fp_/);
    const choice = completion.choices[0];
    assert.equal(choice?.finish_reason, 'stop');
    assert.equal(choice?.message.refusal, null);
    assert.match(
      choice?.message.content ?? '',
      /^Emulated reply from gpt-4o to: What is the capital of France\?/,
    );
    const usage = completion.usage;
    assert.ok(usage && usage.prompt_tokens > 3 && usage.completion_tokens > 10);
    assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
    assert.equal(usage.prompt_tokens_details?.cached_tokens, 0);
    assert.equal(usage.completion_tokens_details?.reasoning_tokens, 0);
  });

  test('replies are deterministic', async () => {
    const a = await ask('Tell me about Temporal workflows');
    const b = await ask('Tell me about Temporal workflows');
    const c = await ask('Tell me about something else');
    assert.equal(a.choices[0]?.message.content, b.choices[0]?.message.content);
    assert.equal(a.id, b.id);
    assert.notEqual(a.choices[0]?.message.content, c.choices[0]?.message.content);
  });

  test('prompt-driven content: marker, JSON, code, max_tokens', async () => {
    const forced = await ask('Say it [[emulator:reply=Exactly this text]] please');
    assert.equal(forced.choices[0]?.message.content, 'Exactly this text');

    const json = (await ask('Return the result as JSON')).choices[0]?.message.content ?? '';
    const fenced = /```json\n([\s\S]*?)\n```/.exec(json);
    assert.ok(fenced?.[1], json);
    assert.equal(typeof JSON.parse(fenced[1]).answer, 'string');

    const code = (await ask('Write code in Rust that greets')).choices[0]?.message.content ?? '';
    assert.match(code, /```rust\n[\s\S]+\n```/);

    const short = await ask('Explain everything in detail', { max_tokens: 5 });
    assert.equal(short.choices[0]?.finish_reason, 'length');
    assert.ok((short.usage?.completion_tokens ?? 99) <= 5);
  });

  test('OpenAI streaming concatenates to the non-streamed text, with usage', async () => {
    const params = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user' as const, content: 'Stream me a reply' }],
    };
    const whole = await openai.chat.completions.create(params);
    const stream = await openai.chat.completions.create({
      ...params,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let deltas = 0;
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      const content = chunk.choices[0]?.delta.content;
      if (content) {
        text += content;
        deltas++;
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, whole.choices[0]?.message.content);
    assert.ok(deltas > 3, 'reply arrives in several deltas');
    assert.equal(finish, 'stop');
    assert.deepEqual(usage, whole.usage);
  });

  test('Anthropic message, non-streamed and streamed', async () => {
    const params = {
      model: 'claude-sonnet-4-6',
      max_tokens: 1024,
      system: [{ type: 'text' as const, text: 'You are terse.' }],
      messages: [{ role: 'user' as const, content: 'Hello Claude' }],
    };
    const message = await anthropic.messages.create(params);
    assert.match(message.id, /^msg_/);
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.equal(message.stop_reason, 'end_turn');
    const block = message.content[0];
    assert.equal(block?.type, 'text');
    const text = block?.type === 'text' ? block.text : '';
    assert.match(text, /^Emulated reply from claude-sonnet-4-6 to: Hello Claude/);
    assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
    assert.equal(message.usage.cache_read_input_tokens, 0);

    const events: string[] = [];
    let streamed = '';
    const stream = await anthropic.messages.create({ ...params, stream: true });
    for await (const event of stream) {
      events.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
        streamed += event.delta.text;
    }
    assert.equal(streamed, text);
    // The SDK hides ping events, so the exact wire sequence is checked on the raw stream.
    assert.deepEqual(
      [...new Set(events)],
      [
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ],
    );
    const raw = await fetch(`${emu.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ ...params, stream: true }),
    });
    assert.match(raw.headers.get('content-type') ?? '', /^text\/event-stream/);
    const wire = [...(await raw.text()).matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    assert.deepEqual(wire.slice(0, 4), [
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
    ]);
    assert.deepEqual(wire.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
    const final = await anthropic.messages.stream(params).finalMessage();
    assert.deepEqual(final.content, message.content);
    assert.equal(final.usage.output_tokens, message.usage.output_tokens);
    assert.equal(final.stop_reason, 'end_turn');

    const capped = await anthropic.messages.create({ ...params, max_tokens: 3 });
    assert.equal(capped.stop_reason, 'max_tokens');
  });

  test('json_schema response validates against a non-trivial schema', async () => {
    const completion = await ask('Create an order', {
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'order', strict: true, schema: ORDER_SCHEMA },
      },
    });
    const content = completion.choices[0]?.message.content ?? '';
    const order = JSON.parse(content) as { items: unknown[] };
    assertValid(ORDER_SCHEMA, order);
    assert.ok(order.items.length >= 3);
    // Also directly, with other seeds, to cover the generator's variation.
    for (const seed of ['a', 'b', 'c']) assertValid(ORDER_SCHEMA, schemaInstance(ORDER_SCHEMA, seed));
  });

  test('tool use: Anthropic tool_use and OpenAI tool_calls carry schema-valid input', async () => {
    const message = await anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 500,
      tools: [{ name: 'get_weather', description: 'Weather', input_schema: WEATHER_TOOL_SCHEMA }],
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    assert.equal(message.stop_reason, 'tool_use');
    const use = message.content[0];
    assert.equal(use?.type, 'tool_use');
    if (use?.type !== 'tool_use') return;
    assert.match(use.id, /^toolu_/);
    assert.equal(use.name, 'get_weather');
    assertValid(WEATHER_TOOL_SCHEMA, use.input);

    const completion = await ask('Weather in Paris?', {
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: WEATHER_TOOL_SCHEMA } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    assertValid(WEATHER_TOOL_SCHEMA, JSON.parse(call.function.arguments));
  });

  test('scripted 429 surfaces as RateLimitError with retry-after', async () => {
    const fault = emu.addFault({ model: 'gpt-4o', status: 429, retryAfterSeconds: 1 });
    assert.match(fault.id, /^fault_/);
    await assert.rejects(ask('hi'), (error: unknown) => {
      assert.ok(error instanceof OpenAI.RateLimitError);
      assert.equal(error.status, 429);
      assert.equal(error.headers?.get('retry-after'), '1');
      assert.equal(error.headers?.get('x-ratelimit-remaining-requests'), '0');
      assert.equal(error.code, 'rate_limit_exceeded');
      assert.match(error.requestID ?? '', /^req_/);
      return true;
    });
    assert.ok((await ask('hi')).choices[0], 'the fault was used up');

    // The HTTP control API queues faults the same way; quota is a 429 of another kind.
    const response = await fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: '*', status: 'quota', provider: 'openai' }),
    });
    assert.equal(response.status, 200);
    await assert.rejects(ask('hi'), (error: unknown) => {
      assert.ok(error instanceof OpenAI.RateLimitError);
      assert.equal(error.code, 'insufficient_quota');
      assert.equal(error.type, 'insufficient_quota');
      return true;
    });
  });

  test('Anthropic 529 overloaded_error', async () => {
    emu.addFault({ model: '*', status: 529, provider: 'anthropic', times: 2 });
    const call = () =>
      anthropic.messages.create({
        model: 'claude-opus-4-1',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'x' }],
      });
    for (let i = 0; i < 2; i++) {
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof Anthropic.APIError);
        assert.equal(error.status, 529);
        assert.equal(error.type, 'overloaded_error');
        assert.deepEqual(error.error, {
          type: 'error',
          error: { type: 'overloaded_error', message: 'Overloaded' },
        });
        assert.match(error.requestID ?? '', /^req_/);
        return true;
      });
    }
    assert.equal((await call()).type, 'message');
  });

  test('authentication: missing keys and an API key allow-list', async () => {
    const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    const bare = await fetch(`${emu.openaiBaseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    assert.equal(bare.status, 401);
    assert.ok(bare.headers.get('x-request-id'));
    const error = ((await bare.json()) as { error: Record<string, unknown> }).error;
    assert.equal(error.code, 'invalid_api_key');
    assert.deepEqual(Object.keys(error).sort(), ['code', 'message', 'param', 'type']);

    const noKey = await fetch(`${emu.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'claude-haiku-4-5',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    assert.equal(noKey.status, 401);
    assert.equal(((await noKey.json()) as { error: { type: string } }).error.type, 'authentication_error');

    const strict = await createEmulator({ apiKeys: ['good-key'], strictModels: true });
    try {
      const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: strict.openaiBaseURL, maxRetries: 0 });
      const messages = [{ role: 'user' as const, content: 'hi' }];
      await assert.rejects(
        client('bad-key').chat.completions.create({ model: 'gpt-4o', messages }),
        OpenAI.AuthenticationError,
      );
      await assert.rejects(
        client('good-key').chat.completions.create({ model: 'gpt-unknown', messages }),
        (e: unknown) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found',
      );
      assert.ok(await client('good-key').chat.completions.create({ model: 'gpt-4o-2024-08-06', messages }));
    } finally {
      await strict.close();
    }
  });

  test('context length errors for tiny-model, and a missing max_tokens', async () => {
    const big = 'lorem ipsum '.repeat(1000);
    await assert.rejects(
      openai.chat.completions.create({ model: 'tiny-model', messages: [{ role: 'user', content: big }] }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError);
        assert.equal(error.code, 'context_length_exceeded');
        assert.equal(error.type, 'invalid_request_error');
        assert.match(error.message, /maximum context length is 1000 tokens/);
        return true;
      },
    );
    await assert.rejects(
      anthropic.messages.create({
        model: 'tiny-model',
        max_tokens: 10,
        messages: [{ role: 'user', content: big }],
      }),
      (error: unknown) => {
        assert.ok(error instanceof Anthropic.BadRequestError);
        assert.equal(error.type, 'invalid_request_error');
        assert.match(error.message, /prompt is too long: \d+ tokens > 1000 maximum/);
        return true;
      },
    );
    const params = { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] };
    await assert.rejects(
      anthropic.messages.create(params as unknown as Anthropic.MessageCreateParamsNonStreaming),
      (error: unknown) => error instanceof Anthropic.BadRequestError && /max_tokens/.test(error.message),
    );
  });

  test('malformed fault answers 200 with content that is not the asked-for JSON', async () => {
    emu.addFault({ model: 'gpt-4o', status: 'malformed' });
    const format = { type: 'json_schema' as const, json_schema: { name: 'order', schema: ORDER_SCHEMA } };
    const bad = await ask('Create an order', { response_format: format });
    assert.throws(() => JSON.parse(bad.choices[0]?.message.content ?? ''));
    const good = await ask('Create an order', { response_format: format });
    assertValid(ORDER_SCHEMA, JSON.parse(good.choices[0]?.message.content ?? ''));
    assert.equal(emu.calls()[0]?.fault, 'malformed');
  });

  test('timeout fault holds the connection; the client abort is logged', async () => {
    const started = Date.now();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    emu.addFault({ model: 'gpt-4o', status: 'timeout' });
    await assert.rejects(
      openai.chat.completions.create(
        { model: 'gpt-4o', messages: [{ role: 'user', content: 'hang' }] },
        { signal: controller.signal },
      ),
      OpenAI.APIUserAbortError,
    );
    assert.ok(Date.now() - started < 5000);
    const record = await waitFor(() => emu.calls().find((c) => c.status === 'aborted'));
    assert.equal(record.fault, 'timeout');
    assert.ok((record.durationMs ?? 0) >= 100);
  });

  test('a client leaving mid-stream is logged as aborted', async () => {
    emu.setLatency({ tokensPerSecond: 20 });
    const controller = new AbortController();
    const stream = await openai.chat.completions.create(
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'long story' }], stream: true },
      { signal: controller.signal },
    );
    let chunks = 0;
    // The openai client ends the iteration quietly when its signal aborts.
    for await (const _ of stream) if (++chunks === 2) controller.abort();
    assert.equal(chunks, 2);
    const record = await waitFor(() => emu.calls().find((c) => c.status === 'aborted'));
    assert.equal(record.stream, true);
  });

  test('call log: order and fields, over HTTP and in-process', async () => {
    emu.setLatency({ fixedMs: 40 });
    const { response } = await ask('first').withResponse();
    const stream = await anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'second' }],
      stream: true,
    });
    for await (const _ of stream);
    await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'third' });

    const calls = (await (await fetch(`${emu.url}/_emulator/calls`)).json()) as ReturnType<Emulator['calls']>;
    assert.deepEqual(calls, emu.calls());
    assert.deepEqual(
      calls.map((c) => [c.seq, c.provider, c.model, c.path, c.stream, c.status]),
      [
        [1, 'openai', 'gpt-4o', '/v1/chat/completions', false, 200],
        [2, 'anthropic', 'claude-haiku-4-5', '/v1/messages', true, 200],
        [3, 'openai', 'text-embedding-3-small', '/v1/embeddings', false, 200],
      ],
    );
    const first = calls[0];
    assert.ok(first);
    assert.equal(first.requestId, response.headers.get('x-request-id'));
    assert.equal(new Date(first.startedAt).getTime(), first.receivedAtMs);
    assert.ok((first.durationMs ?? 0) >= 35, `latency applied (${first.durationMs} ms)`);
    assert.ok((first.inputTokens ?? 0) > 0 && (first.outputTokens ?? 0) > 0);
    assert.ok(calls.every((c, i) => i === 0 || c.receivedAtMs >= (calls[i - 1]?.receivedAtMs ?? 0)));

    await fetch(`${emu.url}/_emulator/calls`, { method: 'DELETE' });
    assert.deepEqual(emu.calls(), []);
  });

  test('embeddings are deterministic unit vectors', async () => {
    const result = await openai.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['the cat sat', 'the cat sat', 'quantum chromodynamics'],
    });
    const [a, b, c] = result.data.map((d) => d.embedding);
    assert.ok(a && b && c);
    assert.equal(a.length, 256);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    for (const v of [a, c]) assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
    assert.ok(result.usage.prompt_tokens > 0);

    const floats = await openai.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'the cat sat',
      dimensions: 64,
      encoding_format: 'float',
    });
    const small = floats.data[0]?.embedding ?? [];
    assert.equal(small.length, 64);
    assert.ok(Math.abs(Math.hypot(...small) - 1) < 1e-9);
  });

  test('model listing for both SDKs', async () => {
    const ids = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    assert.ok(ids.includes('gpt-4o') && ids.includes('claude-sonnet-4-5') && ids.includes('tiny-model'));
    const page = await anthropic.models.list();
    assert.ok(page.data.some((m) => m.id === 'claude-opus-4-1' && m.display_name === 'Claude Opus 4.1'));
  });

  test('control API: faults list/clear and latency', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${emu.url}/_emulator/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    assert.equal((await post('faults', { model: 'x', status: 'nonsense' })).status, 400);
    await post('faults', [
      { model: 'a', status: 500 },
      { model: 'b', status: 'timeout', times: 3 },
    ]);
    const listed = (await (await fetch(`${emu.url}/_emulator/faults`)).json()) as { model: string }[];
    assert.deepEqual(
      listed.map((f) => f.model),
      ['a', 'b'],
    );
    await fetch(`${emu.url}/_emulator/faults`, { method: 'DELETE' });
    assert.deepEqual(emu.faults(), []);

    const latency = await (
      await post('latency', { distribution: 'uniform', minMs: 5, maxMs: 10, holdMs: 30 })
    ).json();
    assert.deepEqual(latency, {
      distribution: { kind: 'uniform', minMs: 5, maxMs: 10 },
      tokensPerSecond: null,
      holds: { '*': 30 },
    });
    const started = Date.now();
    await ask('slow');
    assert.ok(Date.now() - started >= 30);
  });

  test('command line: emulator command parses options and starts a server', async () => {
    assert.equal(emulatorCommand().name(), 'emulator');
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    let cli: Emulator;
    try {
      cli = await runEmulatorCommand([
        '--port',
        '0',
        '--latency',
        'normal:5,1',
        '--tokens-per-second',
        '500',
      ]);
    } finally {
      console.log = log;
    }
    try {
      assert.match(lines.join('\n'), new RegExp(`listening on ${cli.url}`));
      assert.deepEqual(cli.latency().distribution, { kind: 'normal', meanMs: 5, stddevMs: 1 });
      assert.equal(cli.latency().tokensPerSecond, 500);
      const health = await fetch(`${cli.url}/_emulator/health`);
      assert.deepEqual(await health.json(), { ok: true });
    } finally {
      await cli.close();
    }
  });
});
