// The usage the emulator reports: cache and reasoning tokens set through /_emulator/usage on both
// APIs (streamed and not), count_tokens agreeing with usage.input_tokens, and the control that makes
// tool-call arguments invalid for a repair loop to catch.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { Ajv } from 'ajv';
import OpenAI from 'openai';
import { createEmulator, type Emulator } from '../emulator/server.js';

const ajv = new Ajv({ strict: false });
const SCHEMA = {
  type: 'object' as const,
  required: ['city', 'unit'],
  properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
};

describe('emulator: reported usage and tool-argument faults', () => {
  let emu: Emulator;
  let openai: OpenAI;
  let anthropic: Anthropic;
  const control = (method: string, path: string, body?: unknown) =>
    fetch(`${emu.url}/_emulator/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  before(async () => {
    emu = await createEmulator();
    openai = new OpenAI({ apiKey: 'sk-test', baseURL: emu.openaiBaseURL, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: emu.url, maxRetries: 0 });
  });
  after(() => emu.close());
  beforeEach(() => emu.reset());

  test('OpenAI: cached_tokens inside prompt_tokens, reasoning_tokens inside completion_tokens', async () => {
    const params = {
      model: 'gpt-4o',
      messages: [{ role: 'user' as const, content: 'Summarise the report' }],
    };
    const plain = await openai.chat.completions.create(params);
    const set = await control('POST', 'usage', {
      model: 'gpt-4o',
      cacheReadTokens: 2000,
      cacheWriteTokens: 1000,
      reasoningTokens: 50,
    });
    assert.deepEqual(await set.json(), {
      model: 'gpt-4o',
      cacheReadTokens: 2000,
      cacheWriteTokens: 1000,
      cacheWriteTtl: '5m',
      reasoningTokens: 50,
    });
    const cached = await openai.chat.completions.create(params);
    const base = plain.usage;
    assert.ok(base);
    assert.equal(cached.usage?.prompt_tokens, base.prompt_tokens + 3000);
    assert.equal(cached.usage?.prompt_tokens_details?.cached_tokens, 2000);
    assert.equal(cached.usage?.completion_tokens, base.completion_tokens + 50);
    assert.equal(cached.usage?.completion_tokens_details?.reasoning_tokens, 50);
    assert.equal(cached.usage?.total_tokens, base.total_tokens + 3050);
    assert.equal(cached.choices[0]?.message.content, plain.choices[0]?.message.content);

    const streamed = await openai.chat.completions
      .stream({ ...params, stream_options: { include_usage: true } })
      .finalChatCompletion();
    assert.deepEqual(streamed.usage, cached.usage);
    assert.deepEqual(emu.calls().at(-1)?.usage, cached.usage);

    const other = await openai.chat.completions.create({ ...params, model: 'gpt-4o-mini' });
    assert.equal(other.usage?.prompt_tokens_details?.cached_tokens, 0, 'other models are unaffected');

    assert.equal(((await (await control('GET', 'usage')).json()) as unknown[]).length, 1);
    await control('DELETE', 'usage?model=gpt-4o');
    const cleared = await openai.chat.completions.create(params);
    assert.deepEqual(cleared.usage, plain.usage);
  });

  test('Anthropic: input_tokens excludes cache reads and writes, which are reported by TTL', async () => {
    const params = {
      model: 'claude-sonnet-4-6',
      max_tokens: 200,
      system: 'You are a careful analyst.',
      messages: [{ role: 'user' as const, content: 'Summarise the report' }],
    };
    const plain = await anthropic.messages.create(params);
    emu.setUsage({
      model: 'claude-sonnet-4-6',
      cacheReadTokens: 2000,
      cacheWriteTokens: 1000,
      cacheWriteTtl: '1h',
    });
    const cached = await anthropic.messages.create(params);
    assert.equal(cached.usage.input_tokens, plain.usage.input_tokens);
    assert.equal(cached.usage.cache_read_input_tokens, 2000);
    assert.equal(cached.usage.cache_creation_input_tokens, 1000);
    assert.deepEqual(cached.usage.cache_creation, {
      ephemeral_5m_input_tokens: 0,
      ephemeral_1h_input_tokens: 1000,
    });
    assert.deepEqual(plain.usage.cache_creation, {
      ephemeral_5m_input_tokens: 0,
      ephemeral_1h_input_tokens: 0,
    });
    assert.equal(cached.usage.output_tokens, plain.usage.output_tokens);

    const final = await anthropic.messages.stream(params).finalMessage();
    assert.deepEqual(final.usage, cached.usage);
    assert.deepEqual(emu.calls().at(-1)?.usage, cached.usage);

    // count_tokens counts the whole prompt, cached part included.
    const { system, messages, model } = params;
    const counted = await anthropic.messages.countTokens({ model, system, messages });
    assert.equal(counted.input_tokens, cached.usage.input_tokens + 3000);

    emu.setUsage({ model: '*', cacheWriteTokens: 300 });
    const fiveMinutes = await anthropic.messages.create({ ...params, model: 'claude-haiku-4-5' });
    assert.deepEqual(fiveMinutes.usage.cache_creation, {
      ephemeral_5m_input_tokens: 300,
      ephemeral_1h_input_tokens: 0,
    });
    assert.equal(
      (await anthropic.messages.create(params)).usage.cache_creation_input_tokens,
      1000,
      'own settings win',
    );

    await control('POST', 'reset');
    assert.deepEqual(emu.usageSettings(), []);
    assert.equal((await control('POST', 'usage', { model: 'x', cacheWriteTtl: '2h' })).status, 400);
    assert.equal((await control('POST', 'usage', { model: 'x', cacheReadTokens: -1 })).status, 400);
  });

  test('count_tokens agrees with usage.input_tokens across system, turns and tools', async () => {
    const tools: Anthropic.Tool[] = [{ name: 'get_weather', description: 'Weather', input_schema: SCHEMA }];
    const body = {
      model: 'claude-haiku-4-5',
      system: [{ type: 'text' as const, text: 'Be brief.' }],
      tools,
      tool_choice: { type: 'none' as const },
      messages: [
        { role: 'user' as const, content: 'Hello there, how are you today?' },
        { role: 'assistant' as const, content: 'Fine, thanks.' },
        { role: 'user' as const, content: 'What should I pack for Lisbon?' },
      ],
    };
    const counted = await anthropic.messages.countTokens(body);
    const message = await anthropic.messages.create({ ...body, max_tokens: 300 });
    assert.equal(counted.input_tokens, message.usage.input_tokens);
    const withoutTools = await anthropic.messages.countTokens({ model: body.model, messages: body.messages });
    assert.ok(withoutTools.input_tokens < counted.input_tokens, 'tools and system are counted');
    const log = emu.calls()[0];
    assert.equal(log?.path, '/v1/messages/count_tokens');
    assert.equal(log?.inputTokens, counted.input_tokens);

    await assert.rejects(
      anthropic.messages.countTokens({ model: 'claude-haiku-4-5' } as Anthropic.MessageCountTokensParams),
      (error: unknown) =>
        error instanceof Anthropic.BadRequestError && /messages: Field required/.test(error.message),
    );
    const noKey = await fetch(`${emu.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-haiku-4-5', messages: [] }),
    });
    assert.equal(noKey.status, 401);
    assert.equal(((await noKey.json()) as { error: { type: string } }).error.type, 'authentication_error');
  });

  test('invalid-tool-arguments: the next N tool-call replies break the schema, text replies do not count', async () => {
    const validate = ajv.compile(SCHEMA);
    const openaiTools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', parameters: SCHEMA } },
    ];
    const callArgs = async () => {
      const completion = await openai.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'Weather?' }],
        tools: openaiTools,
      });
      const call = completion.choices[0]?.message.tool_calls?.[0];
      assert.ok(call?.type === 'function');
      return JSON.parse(call.function.arguments) as unknown;
    };
    const queued = await control('POST', 'invalid-tool-arguments', { model: 'gpt-4o', times: 1 });
    assert.match(((await queued.json()) as { id: string }).id, /^badargs_/);
    await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Just chat' }],
    });
    assert.equal(emu.invalidToolArguments().length, 1, 'a text reply leaves it queued');
    const broken = await callArgs();
    assert.equal(validate(broken), false);
    assert.equal(
      (broken as Record<string, unknown>).city,
      undefined,
      'the first required property is dropped',
    );
    assert.equal(emu.calls().at(-1)?.invalidToolArguments, true);
    assert.ok(validate(await callArgs()), 'used up after one reply');
    assert.equal(emu.calls().at(-1)?.invalidToolArguments, false);

    emu.addInvalidToolArguments({ model: '*', provider: 'anthropic', times: 2 });
    const params = {
      model: 'claude-haiku-4-5',
      max_tokens: 200,
      tools: [{ name: 'get_weather', input_schema: SCHEMA }],
      tool_choice: { type: 'tool' as const, name: 'get_weather' },
      messages: [{ role: 'user' as const, content: 'Weather?' }],
    };
    const inputOf = (m: Anthropic.Message) => m.content.find((b) => b.type === 'tool_use')?.input;
    assert.equal(validate(inputOf(await anthropic.messages.stream(params).finalMessage())), false);
    assert.equal(validate(inputOf(await anthropic.messages.create(params))), false);
    assert.ok(validate(inputOf(await anthropic.messages.create(params))));
    assert.ok(validate(await callArgs()), 'the anthropic-only entry never touched OpenAI');
    assert.equal((await control('POST', 'invalid-tool-arguments', { model: 'x', times: 0 })).status, 400);
  });
});
