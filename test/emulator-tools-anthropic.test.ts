// Tool use against the emulator's Messages API, through the official @anthropic-ai/sdk client: the
// round trip, the stream helper assembling tool_use input, parallel calls, tool_choice and the 400s.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { Ajv } from 'ajv';
import { createEmulator, type Emulator } from '../emulator/server.js';

const ajv = new Ajv({ strict: false });

const WEATHER = {
  type: 'object' as const,
  required: ['city', 'unit'],
  properties: {
    city: { type: 'string', minLength: 2 },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    forecast: {
      type: 'array',
      minItems: 2,
      items: { type: 'object', required: ['day'], properties: { day: { type: 'integer' } } },
    },
  },
};
const TIME = {
  type: 'object' as const,
  required: ['timezone'],
  properties: { timezone: { type: 'string' } },
};

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: WEATHER,
};
const timeTool: Anthropic.Tool = { name: 'get_time', input_schema: TIME };
const base = {
  model: 'claude-sonnet-4-6',
  max_tokens: 512,
  messages: [{ role: 'user' as const, content: 'Weather in Paris?' }],
};

function toolUses(message: Anthropic.Message): Anthropic.ToolUseBlock[] {
  return message.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
}

function assertValid(schema: object, value: unknown): void {
  const validate = ajv.compile(schema);
  assert.ok(validate(value), `${JSON.stringify(value)}: ${ajv.errorsText(validate.errors)}`);
}

describe('emulator: Anthropic tool use', () => {
  let emu: Emulator;
  let anthropic: Anthropic;
  before(async () => {
    emu = await createEmulator();
    anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: emu.url, maxRetries: 0 });
  });
  after(() => emu.close());
  beforeEach(() => emu.reset());

  test('auto: tool_use with schema-valid input, then a text answer quoting the tool_result', async () => {
    const first = await anthropic.messages.create({ ...base, tools: [weatherTool] });
    assert.equal(first.stop_reason, 'tool_use');
    const [use, ...rest] = toolUses(first);
    assert.ok(use);
    assert.equal(rest.length, 0);
    assert.equal(first.content.length, 1);
    assert.match(use.id, /^toolu_[0-9a-f]{24}$/);
    assert.equal(use.name, 'get_weather');
    assertValid(WEATHER, use.input);

    const second = await anthropic.messages.create({
      ...base,
      tools: [weatherTool],
      messages: [
        ...base.messages,
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: use.id, content: [{ type: 'text', text: '21C, clear' }] },
          ],
        },
      ],
    });
    assert.equal(second.stop_reason, 'end_turn');
    const block = second.content[0];
    assert.equal(block?.type, 'text');
    assert.match(block?.type === 'text' ? block.text : '', /get_weather returned 21C, clear/);

    const failed = await anthropic.messages.create({
      ...base,
      tools: [weatherTool],
      messages: [
        ...base.messages,
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: use.id, content: 'city unknown', is_error: true }],
        },
      ],
    });
    const failedText = failed.content[0];
    assert.match(failedText?.type === 'text' ? failedText.text : '', /get_weather failed with city unknown/);

    const log = emu.calls();
    assert.deepEqual(log[0]?.toolCalls, [
      { id: use.id, name: 'get_weather', arguments: JSON.stringify(use.input) },
    ]);
    assert.deepEqual(log[1]?.toolResults, [use.id]);
  });

  test('streaming: messages.stream().finalMessage() assembles the same tool_use input', async () => {
    const params = { ...base, tools: [weatherTool, timeTool] };
    const whole = await anthropic.messages.create(params);
    const stream = anthropic.messages.stream(params);
    const jsonDeltas: string[] = [];
    stream.on('inputJson', (partial) => jsonDeltas.push(partial));
    const final = await stream.finalMessage();
    assert.deepEqual(final.content, whole.content);
    assert.equal(final.stop_reason, 'tool_use');
    assert.deepEqual(final.usage, whole.usage);
    assert.ok(jsonDeltas.length >= 2, 'input arrives as several input_json_delta fragments');

    const raw = await fetch(`${emu.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ ...params, stream: true }),
    });
    const events = [...(await raw.text()).matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({
      event: m[1],
      data: JSON.parse(m[2] ?? '{}') as Record<string, unknown>,
    }));
    const order = events.map((e) => e.event).filter((e, i, all) => e !== all[i - 1]);
    assert.deepEqual(order, [
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const starts = events.filter((e) => e.event === 'content_block_start').map((e) => e.data);
    assert.deepEqual(
      starts,
      toolUses(whole).map((u, index) => ({
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: u.id, name: u.name, input: {} },
      })),
    );
    const delta = events.find((e) => e.event === 'content_block_delta')?.data.delta as Record<
      string,
      unknown
    >;
    assert.equal(delta.type, 'input_json_delta');
    assert.equal(typeof delta.partial_json, 'string');
    const messageDelta = events.find((e) => e.event === 'message_delta')?.data;
    assert.deepEqual(messageDelta?.delta, { stop_reason: 'tool_use', stop_sequence: null });
  });

  test('parallel calls, disable_parallel_tool_use, and tool_choice none / any / tool', async () => {
    const both = await anthropic.messages.create({ ...base, tools: [weatherTool, timeTool] });
    assert.deepEqual(
      toolUses(both).map((u) => u.name),
      ['get_weather', 'get_time'],
    );
    assertValid(TIME, toolUses(both)[1]?.input);

    const single = await anthropic.messages.create({
      ...base,
      tools: [weatherTool, timeTool],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
    });
    assert.deepEqual(
      toolUses(single).map((u) => u.name),
      ['get_weather'],
    );

    const none = await anthropic.messages.create({
      ...base,
      tools: [weatherTool],
      tool_choice: { type: 'none' },
    });
    assert.equal(none.stop_reason, 'end_turn');
    assert.equal(toolUses(none).length, 0);

    const named = await anthropic.messages.create({
      ...base,
      tools: [weatherTool, timeTool],
      tool_choice: { type: 'tool', name: 'get_time' },
    });
    assert.deepEqual(
      toolUses(named).map((u) => u.name),
      ['get_time'],
    );

    // After a tool_result, 'any' still forces a call while 'auto' answers in text.
    const use = toolUses(named)[0];
    const afterResult: Anthropic.MessageParam[] = [
      ...base.messages,
      { role: 'assistant', content: named.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use?.id ?? '', content: '09:00' }] },
    ];
    const any = await anthropic.messages.create({
      ...base,
      messages: afterResult,
      tools: [timeTool],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    assert.equal(any.stop_reason, 'tool_use');
    const auto = await anthropic.messages.create({ ...base, messages: afterResult, tools: [timeTool] });
    assert.equal(auto.stop_reason, 'end_turn');
    assert.deepEqual(
      emu.calls().map((c) => c.toolChoice),
      ['auto', 'auto', 'none', 'tool:get_time', 'required', 'auto'],
    );
  });

  test('tool pairing errors are 400 invalid_request_error in Anthropic’s shape', async () => {
    const first = await anthropic.messages.create({ ...base, tools: [weatherTool] });
    const expect400 = (messages: Anthropic.MessageParam[], message: RegExp) =>
      assert.rejects(
        anthropic.messages.create({ ...base, tools: [weatherTool], messages }),
        (error: unknown) => {
          assert.ok(error instanceof Anthropic.BadRequestError, String(error));
          assert.equal(error.type, 'invalid_request_error');
          const body = error.error as { type: string; error: { type: string; message: string } };
          assert.equal(body.type, 'error');
          assert.equal(body.error.type, 'invalid_request_error');
          assert.match(body.error.message, message);
          return true;
        },
      );
    await expect400(
      [
        ...base.messages,
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_nope', content: 'x' }] },
      ],
      /^messages\.2\.content\.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_nope\. Each `tool_result` block must have a corresponding `tool_use` block in the previous message\.$/,
    );
    await expect400(
      [
        ...base.messages,
        { role: 'assistant', content: first.content },
        { role: 'user', content: 'and now?' },
      ],
      /^messages\.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_/,
    );
    await assert.rejects(
      anthropic.messages.create({
        ...base,
        tools: [weatherTool],
        tool_choice: { type: 'tool', name: 'get_stock' },
      }),
      Anthropic.BadRequestError,
    );
  });
});
