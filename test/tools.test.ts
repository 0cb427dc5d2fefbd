// Tool calls through the whole request path, on both providers, against the emulator: a round trip
// (tools → tool calls → tool result → final answer), a fallback across providers in the middle of a
// tool conversation, arguments repaired after a schema failure, and requests refused before they
// start when the tool conversation does not hold together.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { failureType } from '../common/errors.js';
import type { ChatMessage, LlmRequest, LlmResult, ToolDefinition } from '../common/request.js';
import { type Harness, startHarness } from './support/harness.js';

const WEATHER: ToolDefinition = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: {
    type: 'object',
    required: ['city', 'unit'],
    additionalProperties: false,
    properties: { city: { type: 'string', minLength: 2 }, unit: { enum: ['celsius', 'fahrenheit'] } },
  },
};
const TIME: ToolDefinition = {
  name: 'get_time',
  parameters: { type: 'object', required: ['zone'], properties: { zone: { type: 'string' } } },
};

/** A 1×1 PNG. */
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

function toolRequest(model: string, messages: ChatMessage[], extra: Partial<LlmRequest> = {}): LlmRequest {
  return {
    requestId: `tools-${randomUUID()}`,
    taskType: 'general_qa',
    templateId: 'chat',
    variables: {},
    model,
    fallbackModels: [],
    cache: 'off',
    messages,
    tools: [WEATHER, TIME],
    ...extra,
  };
}

describe('tool calls through the request path', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.stop());

  for (const model of ['gpt-4o-mini', 'claude-haiku-4-5']) {
    test(`a tool round trip on ${model}: calls valid against the schemas, then a text answer`, async () => {
      const ask: ChatMessage = { role: 'user', content: 'Weather and time in Paris?' };
      const first = await h.client.process(toolRequest(model, [ask]));
      assert.equal(first.finishReason, 'tool_calls');
      assert.deepEqual(
        first.toolCalls?.map((c) => c.name),
        ['get_weather', 'get_time'],
      );
      const weather = first.toolCalls?.[0];
      assert.ok(weather && typeof weather.arguments === 'object' && weather.arguments !== null);
      assert.deepEqual(JSON.parse(weather.rawArguments), weather.arguments);

      const results: ChatMessage[] = (first.toolCalls ?? []).map((call) => ({
        role: 'tool',
        toolCallId: call.id,
        content: call.name === 'get_weather' ? '{"tempC": 21}' : '{"time": "14:05"}',
      }));
      const second = await h.client.process(
        toolRequest(model, [
          ask,
          { role: 'assistant', content: first.text, toolCalls: first.toolCalls ?? [] },
          ...results,
        ]),
      );
      assert.equal(second.finishReason, 'stop');
      assert.equal(second.toolCalls, undefined);
      assert.match(second.text, /tempC/);
    });
  }

  test('toolChoice names one tool: exactly that call; parallelToolCalls false: one call', async () => {
    const ask: ChatMessage = { role: 'user', content: 'What time is it in Tokyo?' };
    const named = await h.client.process(
      toolRequest('claude-haiku-4-5', [ask], { toolChoice: { name: 'get_time' } }),
    );
    assert.deepEqual(
      named.toolCalls?.map((c) => c.name),
      ['get_time'],
    );
    const single = await h.client.process(toolRequest('gpt-4o-mini', [ask], { parallelToolCalls: false }));
    assert.equal(single.toolCalls?.length, 1);
  });

  test('a tool conversation started on GPT continues on Claude: ids from OpenAI are mapped for Anthropic', async () => {
    const ask: ChatMessage = { role: 'user', content: 'Weather in Oslo?' };
    const first = await h.client.process(toolRequest('gpt-4o-mini', [ask], { tools: [WEATHER] }));
    const call = first.toolCalls?.[0];
    if (!call) throw new Error('expected a tool call');
    assert.match(call.id, /^call_/);
    const history: ChatMessage[] = [
      ask,
      { role: 'assistant', content: '', toolCalls: [{ ...call, id: `${call.id}.gpt/1` }] },
      { role: 'tool', toolCallId: `${call.id}.gpt/1`, content: '{"tempC": 3}' },
    ];
    const second = await h.client.process(toolRequest('claude-haiku-4-5', history, { tools: [WEATHER] }));
    assert.equal(second.provider, 'anthropic');
    assert.match(second.text, /tempC/);
    const sent = h.emulator
      .calls()
      .filter((c) => c.provider === 'anthropic')
      .at(-1);
    assert.deepEqual(sent?.toolResults, [`${call.id}_gpt_1`]);
  });

  test('arguments invalid against the schema are repaired on the same model, and attempts say so', async () => {
    h.emulator.addInvalidToolArguments({ model: 'gpt-4o-mini', times: 1 });
    const result: LlmResult = await h.client.process(
      toolRequest('gpt-4o-mini', [{ role: 'user', content: 'Weather in Rome?' }], { tools: [WEATHER] }),
    );
    assert.equal(result.toolCalls?.[0]?.name, 'get_weather');
    const tries = result.attempts.map((a) => [a.outcome, a.errorType ?? null, a.repair ?? false]);
    assert.deepEqual(tries, [
      ['failed', 'InvalidResponseError', false],
      ['success', null, true],
    ]);
    assert.match(result.attempts[0]?.error ?? '', /toolCalls\[0\] \(get_weather\)/);
  });

  test('an image part is sent and counted in the prompt tokens', async () => {
    const withImage = await h.client.process(
      toolRequest(
        'gpt-4o-mini',
        [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in this picture?' },
              { type: 'image', source: { mediaType: 'image/png', data: PNG }, detail: 'low' },
            ],
          },
        ],
        { tools: undefined },
      ),
    );
    const sent = h.emulator.calls().at(-1);
    assert.equal(sent?.images?.[0]?.tokens, 85);
    assert.ok(withImage.usage.inputTokens > 85);
  });

  const refused: [string, Partial<LlmRequest>, RegExp][] = [
    [
      'a toolChoice naming an unknown tool',
      { toolChoice: { name: 'get_stock' } },
      /toolChoice\.name "get_stock"/,
    ],
    [
      'a tool result that answers no call',
      {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'tool', toolCallId: 'call_x', content: '1' },
        ],
      },
      /messages\[1\]\.toolCallId "call_x" answers no tool call/,
    ],
    [
      'malformed image data',
      {
        messages: [
          {
            role: 'user',
            content: [{ type: 'image', source: { mediaType: 'image/png', data: '/9j/AAAA' } }],
          },
        ],
      },
      /messages\[0\]\.content\[0\]: image data is not a image\/png file/,
    ],
    [
      'a tool without a schema',
      { tools: [{ name: 'broken' } as unknown as ToolDefinition] },
      /\/tools\/0 must have required property 'parameters'/,
    ],
    [
      'an oversized image',
      {
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'image',
                source: { mediaType: 'image/png', data: `${PNG.slice(0, 12)}${'A'.repeat(7_200_000)}` },
              },
            ],
          },
        ],
      },
      /messages\[0\]\.content\[0\]: image is 5\.\d MB; the most is 5 MB/,
    ],
  ];
  for (const [name, change, message] of refused) {
    test(`refused before it starts: ${name}`, async () => {
      const request = toolRequest('gpt-4o-mini', [{ role: 'user', content: 'hi' }], change);
      await assert.rejects(h.client.process(request), (error: unknown) => {
        assert.equal(failureType(error), 'InvalidRequestError');
        assert.match((error as Error).message, message);
        return true;
      });
    });
  }
});
