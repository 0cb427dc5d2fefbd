// Tool calling against the emulator's Chat Completions, through the official openai client: the
// round trip, streaming in OpenAI's delta format, parallel calls, tool_choice and the 400s.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import OpenAI from 'openai';
import { createEmulator, type Emulator } from '../emulator/server.js';

const ajv = new Ajv({ strict: false });

const WEATHER = {
  type: 'object',
  required: ['city', 'unit', 'days'],
  additionalProperties: false,
  properties: {
    city: { type: 'string', minLength: 2 },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    days: { type: 'integer', minimum: 1, maximum: 7 },
  },
};
const TIME = {
  type: 'object',
  required: ['timezone'],
  properties: { timezone: { type: 'string', pattern: '^[A-Z]' } },
};

type Tool = OpenAI.ChatCompletionTool;
const weatherTool: Tool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather for a city', parameters: WEATHER, strict: true },
};
const timeTool: Tool = { type: 'function', function: { name: 'get_time', parameters: TIME } };
const question: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];

function assertValid(schema: object, json: string): void {
  const validate = ajv.compile(schema);
  assert.ok(validate(JSON.parse(json)), `${json}: ${ajv.errorsText(validate.errors)}`);
}

function firstMessage(completion: OpenAI.ChatCompletion): OpenAI.ChatCompletionMessage {
  const message = completion.choices[0]?.message;
  assert.ok(message, 'a completion has a first choice');
  return message;
}

function functionCalls(message: OpenAI.ChatCompletionMessage): { id: string; name: string; args: string }[] {
  return (message.tool_calls ?? []).map((c) => {
    if (c.type !== 'function') throw new Error(`expected a function call, got ${c.type}`);
    return { id: c.id, name: c.function.name, args: c.function.arguments };
  });
}

describe('emulator: OpenAI tool calls', () => {
  let emu: Emulator;
  let openai: OpenAI;
  before(async () => {
    emu = await createEmulator();
    openai = new OpenAI({ apiKey: 'sk-test', baseURL: emu.openaiBaseURL, maxRetries: 0 });
  });
  after(() => emu.close());
  beforeEach(() => emu.reset());

  test('auto: calls the tool, then answers in text quoting the tool result', async () => {
    const first = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: question,
      tools: [weatherTool],
    });
    const choice = first.choices[0];
    assert.equal(choice?.finish_reason, 'tool_calls');
    assert.equal(choice?.message.content, null);
    const [call, ...rest] = functionCalls(firstMessage(first));
    assert.ok(call);
    assert.equal(rest.length, 0, 'one tool offered, one call');
    assert.match(call.id, /^call_[0-9a-f]{24}$/);
    assert.equal(call.name, 'get_weather');
    assertValid(WEATHER, call.args);

    const again = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: question,
      tools: [weatherTool],
    });
    assert.deepEqual(again.choices[0]?.message, choice?.message, 'the same request gives the same call');

    const second = await openai.chat.completions.create({
      model: 'gpt-4o',
      tools: [weatherTool],
      messages: [
        ...question,
        choice?.message as OpenAI.ChatCompletionAssistantMessageParam,
        { role: 'tool', tool_call_id: call.id, content: '{"temp_c":21,"sky":"clear"}' },
      ],
    });
    assert.equal(second.choices[0]?.finish_reason, 'stop');
    assert.match(
      second.choices[0]?.message.content ?? '',
      /get_weather returned \{"temp_c":21,"sky":"clear"\}/,
    );
    assert.equal(second.choices[0]?.message.tool_calls, undefined);

    const [logFirst, , logSecond] = emu.calls();
    assert.deepEqual(logFirst?.toolsOffered, ['get_weather']);
    assert.equal(logFirst?.toolChoice, 'auto');
    assert.deepEqual(logFirst?.toolCalls, [{ id: call.id, name: 'get_weather', arguments: call.args }]);
    assert.equal(logFirst?.invalidToolArguments, false);
    assert.deepEqual(logSecond?.toolResults, [call.id]);
    assert.equal(logSecond?.toolCalls, undefined);
  });

  test('streaming: the SDK assembles the same calls; the wire follows OpenAI delta format', async () => {
    const params = { model: 'gpt-4o-mini', messages: question, tools: [weatherTool, timeTool] };
    const whole = await openai.chat.completions.create(params);
    const final = await openai.chat.completions
      .stream({ ...params, stream_options: { include_usage: true } })
      .finalChatCompletion();
    assert.deepEqual(functionCalls(firstMessage(final)), functionCalls(firstMessage(whole)));
    assert.equal(final.choices[0]?.finish_reason, 'tool_calls');
    assert.deepEqual(final.usage, whole.usage);

    const raw = await openai.chat.completions.create({
      ...params,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of raw) chunks.push(chunk);
    const opening = chunks[0]?.choices[0]?.delta;
    assert.equal(opening?.role, 'assistant');
    assert.equal(opening?.content, null);
    const expected = functionCalls(firstMessage(whole));
    assert.deepEqual(opening?.tool_calls, [
      { index: 0, id: expected[0]?.id, type: 'function', function: { name: 'get_weather', arguments: '' } },
    ]);
    // Each call opens with index, id, type and name, then only index and argument fragments follow.
    const byIndex = new Map<number, string>();
    let opened = 0;
    for (const chunk of chunks.slice(1)) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        if (delta.id) {
          opened++;
          assert.equal(delta.function?.arguments, '');
          assert.equal(delta.type, 'function');
        } else assert.deepEqual(Object.keys(delta).sort(), ['function', 'index']);
        byIndex.set(delta.index, (byIndex.get(delta.index) ?? '') + (delta.function?.arguments ?? ''));
      }
    }
    assert.equal(opened, 1, 'the second call opens after the first one’s arguments');
    assert.deepEqual(
      [...byIndex.values()],
      expected.map((c) => c.args),
    );
    const last = chunks.at(-1);
    assert.deepEqual(last?.choices, []);
    assert.deepEqual(last?.usage, whole.usage);
    assert.equal(chunks.at(-2)?.choices[0]?.finish_reason, 'tool_calls');
    assert.ok(chunks.slice(0, -1).every((c) => c.usage === null));
  });

  test('parallel: two tools offered give two calls unless parallel_tool_calls is false', async () => {
    const both = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: question,
      tools: [weatherTool, timeTool],
    });
    const calls = functionCalls(firstMessage(both));
    assert.deepEqual(
      calls.map((c) => c.name),
      ['get_weather', 'get_time'],
    );
    assert.notEqual(calls[0]?.id, calls[1]?.id);
    assertValid(WEATHER, calls[0]?.args ?? '');
    assertValid(TIME, calls[1]?.args ?? '');

    const single = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: question,
      tools: [weatherTool, timeTool],
      parallel_tool_calls: false,
    });
    assert.deepEqual(
      functionCalls(firstMessage(single)).map((c) => c.name),
      ['get_weather'],
    );

    // Answering only one of the two calls is refused, as OpenAI does.
    await assert.rejects(
      openai.chat.completions.create({
        model: 'gpt-4o',
        tools: [weatherTool, timeTool],
        messages: [
          ...question,
          both.choices[0]?.message as OpenAI.ChatCompletionAssistantMessageParam,
          { role: 'tool', tool_call_id: calls[0]?.id ?? '', content: 'sunny' },
        ],
      }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError);
        assert.equal(error.param, 'messages.[1].role');
        assert.match(error.message, new RegExp(`did not have response messages: ${calls[1]?.id}`));
        return true;
      },
    );
    const answered = await openai.chat.completions.create({
      model: 'gpt-4o',
      tools: [weatherTool, timeTool],
      messages: [
        ...question,
        both.choices[0]?.message as OpenAI.ChatCompletionAssistantMessageParam,
        { role: 'tool', tool_call_id: calls[0]?.id ?? '', content: 'sunny' },
        { role: 'tool', tool_call_id: calls[1]?.id ?? '', content: '14:05' },
      ],
    });
    assert.match(
      answered.choices[0]?.message.content ?? '',
      /get_weather returned sunny; get_time returned 14:05/,
    );
  });

  test('runTools drives the loop, streamed and not: the function gets valid arguments, its result is read', async () => {
    for (const stream of [false, true]) {
      emu.clearCalls();
      const seen: unknown[] = [];
      const tools = [
        {
          type: 'function' as const,
          function: {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: WEATHER,
            parse: JSON.parse,
            function: (args: { city: string }) => {
              seen.push(args);
              return { temp_c: 21, city: args.city };
            },
          },
        },
      ];
      const params = { model: 'gpt-4o', messages: question, tools };
      const runner = stream
        ? openai.chat.completions.runTools({ ...params, stream: true })
        : openai.chat.completions.runTools(params);
      const content = await runner.finalContent();
      assert.equal(seen.length, 1);
      assertValid(WEATHER, JSON.stringify(seen[0]));
      const city = (seen[0] as { city: string }).city;
      assert.match(content ?? '', new RegExp(`get_weather returned \\{"temp_c":21,"city":"${city}"\\}`));
      assert.deepEqual(
        emu.calls().map((c) => [c.stream, c.toolCalls?.length ?? 0, c.toolResults?.length ?? 0]),
        [
          [stream, 1, 0],
          [stream, 0, 1],
        ],
      );
    }
  });

  test('a JSON reply marker dictates the first call’s arguments and is spent once the tool answers', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Weather? [[emulator:reply={"city":"Oslo","unit":"celsius","days":3}]]' },
    ];
    const first = await openai.chat.completions.create({ model: 'gpt-4o', messages, tools: [weatherTool] });
    const [call] = functionCalls(firstMessage(first));
    assert.equal(call?.args, '{"city":"Oslo","unit":"celsius","days":3}');
    const second = await openai.chat.completions.create({
      model: 'gpt-4o',
      tools: [weatherTool],
      messages: [
        ...messages,
        firstMessage(first) as OpenAI.ChatCompletionAssistantMessageParam,
        { role: 'tool', tool_call_id: call?.id ?? '', content: 'snow' },
      ],
    });
    assert.match(firstMessage(second).content ?? '', /get_weather returned snow/);

    const text = await openai.chat.completions.create({
      model: 'gpt-4o',
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'Hi [[emulator:reply=Just text]]' }],
    });
    assert.equal(firstMessage(text).content, 'Just text', "a plain-text marker answers in text under 'auto'");
  });

  test("tool_choice: 'none' answers in text, 'required' and a named tool force a call", async () => {
    const none = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: question,
      tools: [weatherTool],
      tool_choice: 'none',
    });
    assert.equal(none.choices[0]?.finish_reason, 'stop');
    assert.match(
      none.choices[0]?.message.content ?? '',
      /^Emulated reply from gpt-4o to: Weather in Paris\?/,
    );
    assert.equal(emu.calls()[0]?.toolChoice, 'none');

    const named = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: question,
      tools: [weatherTool, timeTool],
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    });
    assert.deepEqual(
      functionCalls(firstMessage(named)).map((c) => c.name),
      ['get_time'],
    );

    // After a tool result 'auto' answers in text, but 'required' still calls.
    const call = functionCalls(firstMessage(named))[0];
    const afterResult: OpenAI.ChatCompletionMessageParam[] = [
      ...question,
      named.choices[0]?.message as OpenAI.ChatCompletionAssistantMessageParam,
      { role: 'tool', tool_call_id: call?.id ?? '', content: '09:00' },
    ];
    const required = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: afterResult,
      tools: [timeTool],
      tool_choice: 'required',
    });
    assert.equal(required.choices[0]?.finish_reason, 'tool_calls');
    assert.equal(emu.calls()[2]?.toolChoice, 'required');
    const auto = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: afterResult,
      tools: [timeTool],
    });
    assert.equal(auto.choices[0]?.finish_reason, 'stop');
  });

  test('invalid tool requests are 400 invalid_request_error naming the parameter', async () => {
    const expect400 = async (
      body: OpenAI.ChatCompletionCreateParamsNonStreaming,
      param: string,
      message: RegExp,
    ) =>
      assert.rejects(openai.chat.completions.create(body), (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError, String(error));
        assert.equal(error.type, 'invalid_request_error');
        assert.equal(error.param, param);
        assert.match(error.message, message);
        return true;
      });
    const assistant: OpenAI.ChatCompletionAssistantMessageParam = {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_known', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
      ],
    };
    await expect400(
      {
        model: 'gpt-4o',
        tools: [weatherTool],
        messages: [...question, assistant, { role: 'tool', tool_call_id: 'call_unknown', content: 'x' }],
      },
      'messages.[2].tool_call_id',
      /'tool_call_id' of 'call_unknown' not found in 'tool_calls'/,
    );
    await expect400(
      {
        model: 'gpt-4o',
        messages: [...question, { role: 'tool', tool_call_id: 'call_known', content: 'x' }],
      },
      'messages.[1].role',
      /messages with role 'tool' must be a response to a preceeding message with 'tool_calls'/,
    );
    await expect400(
      {
        model: 'gpt-4o',
        messages: question,
        tools: [weatherTool],
        tool_choice: { type: 'function', function: { name: 'get_stock' } },
      },
      'tool_choice',
      /function 'get_stock' not found in 'tools'/,
    );
    await expect400(
      { model: 'gpt-4o', messages: question, tool_choice: 'required' },
      'tool_choice',
      /only allowed when 'tools' are specified/,
    );
    const badName: Tool = { type: 'function', function: { name: 'get weather', parameters: WEATHER } };
    await expect400(
      { model: 'gpt-4o', messages: question, tools: [badName] },
      'tools[0].function.name',
      /does not match pattern/,
    );
    const strictTime: Tool = {
      type: 'function',
      function: { name: 'get_time', parameters: TIME, strict: true },
    };
    await expect400(
      { model: 'gpt-4o', messages: question, tools: [strictTime] },
      'tools[0].function.parameters',
      /400 Invalid schema for function 'get_time': In context=\(\), 'additionalProperties' is required to be supplied and to be false\.$/,
    );
    const nested = {
      type: 'object',
      additionalProperties: false,
      required: ['place'],
      properties: {
        place: {
          type: 'object',
          additionalProperties: false,
          required: ['city'],
          properties: { city: {}, zip: {} },
        },
      },
    };
    const strictNested: Tool = {
      type: 'function',
      function: { name: 'locate', parameters: nested, strict: true },
    };
    await expect400(
      { model: 'gpt-4o', messages: question, tools: [strictNested] },
      'tools[0].function.parameters',
      /In context=\('properties', 'place'\), 'required' is required .* Missing 'zip'\.$/,
    );
    assert.ok(emu.calls().every((c) => c.status === 400));
  });
});
