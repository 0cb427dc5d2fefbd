// The Anthropic Messages door, driven by the official `@anthropic-ai/sdk` against the real stack:
// messages.create and messages.stream().finalMessage(), a tool_use → tool_result round trip served
// by a Claude model and by a GPT model, streaming events in Anthropic's order, countTokens with the
// model's tokenizer (images and tools included), both ways of sending the key, and errors in
// Anthropic's shape (each bad input a 400 naming the field, without starting anything).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { loadModelCatalog } from '../config/load.js';
import { counterForModel } from '../core/context/tokens.js';
import { type ApiStack, startApiStack } from './support/apiStack.js';

const KEY = 'test-key-messages-0123456789';
/** A 1×1 PNG. */
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const tools: Anthropic.Tool[] = [
  {
    name: 'get_weather',
    description: 'The weather in a city',
    input_schema: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
  },
];

let stack: ApiStack;
let anthropic: Anthropic;

before(async () => {
  stack = await startApiStack(KEY);
  anthropic = new Anthropic({ apiKey: KEY, baseURL: stack.base, maxRetries: 0 });
});

after(async () => {
  await stack?.stop();
});

const question: Anthropic.MessageParam = { role: 'user', content: 'What is the weather in Paris?' };

function toolUse(message: Anthropic.Message): Anthropic.ToolUseBlock {
  const block = message.content.find((b) => b.type === 'tool_use');
  assert.ok(block?.type === 'tool_use', `a tool_use block in ${JSON.stringify(message.content)}`);
  return block;
}

function followUp(answer: Anthropic.Message, use: Anthropic.ToolUseBlock): Anthropic.MessageParam[] {
  return [
    question,
    { role: 'assistant', content: answer.content },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '{"celsius":21}' }] },
  ];
}

function text(message: Anthropic.Message): string {
  return message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
}

for (const model of ['claude-haiku-4-5', 'gpt-4o-mini']) {
  describe(`a tool round trip through messages, served by ${model}`, () => {
    it('answers with tool_use, then with text once the tool_result is sent (messages.create)', async () => {
      const first = await anthropic.messages.create({ model, max_tokens: 200, messages: [question], tools });
      assert.equal(first.type, 'message');
      assert.equal(first.stop_reason, 'tool_use');
      const use = toolUse(first);
      assert.equal(use.name, 'get_weather');
      assert.equal(typeof (use.input as { city: unknown }).city, 'string');
      const stored = await stack.result(first.id);
      assert.equal(stored.model, model);
      assert.equal(first.usage.input_tokens, stored.usage.inputTokens);
      assert.equal(first.usage.output_tokens, stored.usage.outputTokens);

      const second = await anthropic.messages.create({
        model,
        max_tokens: 200,
        messages: followUp(first, use),
        tools,
      });
      assert.equal(second.stop_reason, 'end_turn');
      assert.match(text(second), /get_weather returned/);
      assert.deepEqual(stack.h.emulator.calls().at(-1)?.toolResults, [use.id]);
    });

    it('streams tool_use and the final text (messages.stream().finalMessage())', async () => {
      const first = await anthropic.messages
        .stream({ model, max_tokens: 200, messages: [question], tools })
        .finalMessage();
      assert.equal(first.stop_reason, 'tool_use');
      const use = toolUse(first);
      assert.deepEqual(use.input, (await stack.result(first.id)).toolCalls?.[0]?.arguments);

      const second = await anthropic.messages
        .stream({ model, max_tokens: 200, messages: followUp(first, use), tools })
        .finalMessage();
      assert.equal(second.stop_reason, 'end_turn');
      assert.equal(text(second), (await stack.result(second.id)).text);
      assert.equal(second.usage.output_tokens, (await stack.result(second.id)).usage.outputTokens);
    });
  });
}

describe('messages: events, tokens, keys', () => {
  it("streams events in Anthropic's order", async () => {
    const stream = await anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'Tell me something short.' }],
      stream: true,
    });
    const types: string[] = [];
    for await (const event of stream)
      types.push(event.type === 'content_block_delta' ? event.delta.type : event.type);
    const squeezed = types.filter((t, i) => t !== types[i - 1]);
    assert.deepEqual(squeezed, [
      'message_start',
      'content_block_start',
      'text_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('streams a tool_use block as content_block_start, input_json_delta, content_block_stop', async () => {
    const stream = await anthropic.messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 200,
      messages: [question],
      tools,
      tool_choice: { type: 'tool', name: 'get_weather' },
      stream: true,
    });
    const types: string[] = [];
    for await (const event of stream)
      types.push(event.type === 'content_block_delta' ? event.delta.type : event.type);
    assert.deepEqual(types, [
      'message_start',
      'content_block_start',
      'input_json_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('streams only the validated tool call when the first answer had invalid arguments', async () => {
    stack.h.emulator.addInvalidToolArguments({ model: 'claude-haiku-4-5', times: 1 });
    const partials: string[] = [];
    const stream = anthropic.messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'What is the weather in Lyon, asked once?' }],
      tools,
      // With `auto` the emulator answers the repair's error results in text; `any` makes it call again.
      tool_choice: { type: 'any' },
    });
    stream.on('inputJson', (partial) => partials.push(partial));
    const answer = await stream.finalMessage();
    const stored = await stack.result(answer.id);
    assert.deepEqual(
      stored.attempts.map((a) => [a.model, a.outcome, a.repair === true]),
      [
        ['claude-haiku-4-5', 'failed', false],
        ['claude-haiku-4-5', 'success', true],
      ],
      'the first answer was repaired',
    );
    assert.deepEqual(toolUse(answer).input, stored.toolCalls?.[0]?.arguments);
    assert.deepEqual(
      partials,
      [JSON.stringify(stored.toolCalls?.[0]?.arguments)],
      'one delta: the repaired input',
    );
  });

  it('counts tokens with the model tokenizer, an image and the tools included', async () => {
    const messages: Anthropic.MessageParam[] = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Describe this.' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
        ],
      },
    ];
    const counted = await anthropic.messages.countTokens({ model: 'claude-haiku-4-5', messages, tools });
    const spec = loadModelCatalog().models['claude-haiku-4-5'];
    assert.ok(spec);
    const counter = counterForModel(spec);
    const expected =
      counter.countMessages([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe this.' },
            { type: 'image', source: { mediaType: 'image/png', data: PNG } },
          ],
        },
      ]) +
      counter.countTools([
        {
          name: 'get_weather',
          description: 'The weather in a city',
          parameters: tools[0]?.input_schema ?? {},
        },
      ]);
    assert.equal(counted.input_tokens, expected);
    const withoutImage = await anthropic.messages.countTokens({
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: 'Describe this.' }],
      tools,
    });
    assert.ok(counted.input_tokens > withoutImage.input_tokens, 'the image is counted');

    const answered = await anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages,
    });
    assert.equal(stack.h.emulator.calls().at(-1)?.images?.length, 1, 'the image reached the provider');
    assert.ok(answered.usage.input_tokens > 0);
  });

  it('takes the key as x-api-key or as Authorization: Bearer, and refuses a wrong one in its shape', async () => {
    const bearer = new Anthropic({ authToken: KEY, apiKey: null, baseURL: stack.base, maxRetries: 0 });
    const answer = await bearer.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 50,
      messages: [question],
    });
    assert.equal(answer.type, 'message');
    const response = await fetch(`${stack.base}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'wrong' },
      body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [question] }),
    });
    assert.equal(response.status, 401);
    assert.deepEqual(
      ((await response.json()) as { error: { type: string } }).error.type,
      'authentication_error',
    );
    const error = await new Anthropic({ apiKey: 'wrong', baseURL: stack.base, maxRetries: 0 }).messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [question] })
      .catch((e: unknown) => e);
    assert.ok(error instanceof Anthropic.AuthenticationError, String(error));
  });

  it('a request whose models all fail is an api_error, not retried, and an error event when streamed', async () => {
    stack.h.emulator.addFault({ model: '*', status: 400, times: 40 });
    const retrying = new Anthropic({ apiKey: KEY, baseURL: stack.base, maxRetries: 2 });
    try {
      const before = stack.h.emulator.calls().length;
      const error = await retrying.messages
        .create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [question] })
        .catch((e: unknown) => e);
      assert.ok(error instanceof Anthropic.InternalServerError, String(error));
      assert.equal(error.status, 502);
      assert.equal((error.error as { error: { type: string } }).error.type, 'api_error');
      const toHaiku = stack.h.emulator
        .calls()
        .slice(before)
        .filter((c) => c.model === 'claude-haiku-4-5');
      assert.equal(toHaiku.length, 1, 'one workflow ran: the client did not retry it');
      const streamed = await anthropic.messages
        .stream({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [question] })
        .finalMessage()
        .catch((e: unknown) => e);
      assert.ok(streamed instanceof Anthropic.APIError, String(streamed));
      assert.match(streamed.message, /AllModelsFailed|failed/);
    } finally {
      stack.h.emulator.clearFaults();
    }
  });

  it('an unknown model is a not_found_error', async () => {
    const error = await anthropic.messages
      .create({ model: 'claude-99', max_tokens: 10, messages: [question] })
      .catch((e: unknown) => e);
    assert.ok(error instanceof Anthropic.NotFoundError, String(error));
    assert.equal((error.error as { error: { type: string } }).error.type, 'not_found_error');
  });
});

describe('bad input through messages: a 400 naming the field, nothing started', () => {
  async function badRequest(body: Record<string, unknown>): Promise<string> {
    const before = stack.h.emulator.calls().length;
    const error = await anthropic.messages
      .create({
        model: 'claude-haiku-4-5',
        max_tokens: 100,
        messages: [question],
        ...body,
      } as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    assert.ok(error instanceof Anthropic.BadRequestError, String(error));
    const shape = error.error as { type: string; error: { type: string; message: string } };
    assert.equal(shape.type, 'error');
    assert.equal(shape.error.type, 'invalid_request_error');
    assert.equal(stack.h.emulator.calls().length, before, 'no provider was called');
    return shape.error.message;
  }

  it('max_tokens missing', async () => {
    assert.match(await badRequest({ max_tokens: undefined }), /max_tokens/);
  });

  it('a tool_choice naming an unknown tool', async () => {
    assert.match(
      await badRequest({ tools, tool_choice: { type: 'tool', name: 'nope' } }),
      /^tool_choice\.name: /,
    );
  });

  it('a tool_result with no matching tool_use', async () => {
    const message = await badRequest({
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: 'r' }] }],
    });
    assert.match(message, /^messages\[0\]\.content\[0\]\.tool_use_id: /);
  });

  it('malformed and oversized image data', async () => {
    const image = (data: string) => ({
      messages: [
        {
          role: 'user',
          content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data } }],
        },
      ],
    });
    assert.match(await badRequest(image('not base64!')), /^messages\[0\]\.content\[0\]\.source\.data: /);
    const big = Buffer.alloc(6 * 1024 * 1024).toString('base64');
    assert.match(await badRequest(image(big)), /^messages\[0\]\.content\[0\]\.source\.data: .*bytes/);
  });

  it('a tool without a schema', async () => {
    assert.match(await badRequest({ tools: [{ name: 'f' }] }), /input_schema/);
  });
});
