// The OpenAI Responses door, driven by the official `openai` client against the real stack: a tool
// round trip (function tools → function_call → function_call_output → final text), plain and streamed,
// served by a GPT model and a Claude model, continued through `previous_response_id` from what
// Temporal stored; `responses.retrieve`; structured output; streaming events in order; an image part
// accepted and counted; and each bad input a 400 naming the field, without starting anything.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { type ApiStack, startApiStack } from './support/apiStack.js';

const KEY = 'test-key-responses-0123456789';
const STRANGER = 'test-key-responses-stranger-0123';
/** A 1×1 PNG. */
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const tools: OpenAI.Responses.FunctionTool[] = [
  {
    type: 'function',
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      required: ['city'],
      properties: { city: { type: 'string' } },
      additionalProperties: false,
    },
    strict: true,
  },
];

let stack: ApiStack;
let openai: OpenAI;

before(async () => {
  stack = await startApiStack(KEY, 'door-app', { [STRANGER]: 'someone-else' });
  openai = new OpenAI({ apiKey: KEY, baseURL: `${stack.base}/v1`, maxRetries: 0 });
});

after(async () => {
  await stack?.stop();
});

function functionCall(response: OpenAI.Responses.Response): OpenAI.Responses.ResponseFunctionToolCall {
  const call = response.output.find((item) => item.type === 'function_call');
  assert.ok(call?.type === 'function_call', `a function_call item in ${JSON.stringify(response.output)}`);
  return call;
}

function output(call: OpenAI.Responses.ResponseFunctionToolCall): OpenAI.Responses.ResponseInputItem {
  return { type: 'function_call_output', call_id: call.call_id, output: '{"celsius":21}' };
}

for (const model of ['gpt-4o-mini', 'claude-haiku-4-5']) {
  describe(`a tool round trip through responses, served by ${model}`, () => {
    it('calls the function, then answers the output, continuing from previous_response_id', async () => {
      const first = await openai.responses.create({
        model,
        instructions: 'Use the tools.',
        input: 'What is the weather in Paris?',
        tools,
      });
      assert.match(first.id, /^resp_/);
      assert.equal(first.object, 'response');
      assert.equal(first.status, 'completed');
      const call = functionCall(first);
      assert.equal(call.name, 'get_weather');
      assert.equal(typeof (JSON.parse(call.arguments) as { city: unknown }).city, 'string');
      const stored = await stack.result(first.id);
      assert.equal(stored.model, model);
      assert.equal(first.usage?.input_tokens, stored.usage.inputTokens);
      assert.equal(first.usage?.total_tokens, stored.usage.totalTokens);

      const second = await openai.responses.create({
        model,
        previous_response_id: first.id,
        input: [output(call)],
        tools,
      });
      assert.equal(second.status, 'completed');
      assert.equal(second.previous_response_id, first.id);
      assert.match(second.output_text, /get_weather returned/);
      const sent = stack.h.emulator.calls().at(-1);
      assert.deepEqual(
        sent?.toolResults,
        [call.call_id],
        'the stored call and its output reached the provider',
      );
      assert.equal(second.instructions, null, 'instructions are not carried over, as OpenAI does');
    });

    it('streams the function call and the final text (responses.stream)', async () => {
      const first = await openai.responses
        .stream({ model, input: 'What is the weather in Paris?', tools })
        .finalResponse();
      const call = functionCall(first);
      assert.equal(call.arguments, (await stack.result(first.id)).toolCalls?.[0]?.rawArguments);

      const stream = openai.responses.stream({
        model,
        input: [
          { role: 'user', content: 'What is the weather in Paris?' },
          { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
          output(call),
        ],
        tools,
      });
      const second = await stream.finalResponse();
      assert.equal(second.status, 'completed');
      assert.equal(second.output_text, (await stack.result(second.id)).text);
    });
  });
}

describe('responses: retrieval, durability, failures, events, structured output, images', () => {
  it('another API server, sharing no memory with the first, continues and retrieves its response', async () => {
    const first = await openai.responses.create({ model: 'gpt-4o-mini', input: 'Weather in Paris?', tools });
    const other = new OpenAI({ apiKey: KEY, baseURL: `${await stack.openApi()}/v1`, maxRetries: 0 });
    assert.deepEqual((await other.responses.retrieve(first.id)).output, first.output);
    const second = await other.responses.create({
      model: 'gpt-4o-mini',
      previous_response_id: first.id,
      input: [output(functionCall(first))],
      tools,
    });
    assert.match(second.output_text, /get_weather returned/);
  });

  it("another caller's key can neither retrieve nor continue a response", async () => {
    const mine = await openai.responses.create({ model: 'gpt-4o-mini', input: 'Weather in Paris?', tools });
    const stranger = new OpenAI({ apiKey: STRANGER, baseURL: `${stack.base}/v1`, maxRetries: 0 });
    const read = await stranger.responses.retrieve(mine.id).catch((e: unknown) => e);
    assert.ok(read instanceof OpenAI.NotFoundError, String(read));
    const continued = await stranger.responses
      .create({ model: 'gpt-4o-mini', previous_response_id: mine.id, input: [output(functionCall(mine))] })
      .catch((e: unknown) => e);
    assert.ok(continued instanceof OpenAI.BadRequestError, String(continued));
    assert.equal(continued.param, 'previous_response_id');
    assert.doesNotMatch(
      continued.message,
      /get_weather|Paris/,
      'nothing of the stored conversation is revealed',
    );
  });

  it('a request whose models all fail is a final error, and response.failed when streamed', async () => {
    stack.h.emulator.addFault({ model: '*', status: 400, times: 40 });
    try {
      const error = await openai.responses
        .create({ model: 'gpt-4o-mini', input: 'fail' })
        .catch((e: unknown) => e);
      assert.ok(error instanceof OpenAI.APIError, String(error));
      assert.equal(error.status, 502);
      assert.equal(error.code, 'AllModelsFailedError');
      assert.equal(error.headers?.get('x-should-retry'), 'false');
      const stream = await openai.responses.create({
        model: 'gpt-4o-mini',
        input: 'fail again',
        stream: true,
      });
      const events: OpenAI.Responses.ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      const last = events.at(-1);
      assert.ok(last?.type === 'response.failed', JSON.stringify(last));
      assert.equal(last.response.status, 'failed');
      assert.equal(last.response.error?.code, 'AllModelsFailedError');
      const retrieved = await openai.responses.retrieve(last.response.id);
      assert.equal(retrieved.status, 'failed');
    } finally {
      stack.h.emulator.clearFaults();
    }
  });

  it('responses.retrieve reads a finished response back from Temporal', async () => {
    const created = await openai.responses.create({
      model: 'gpt-4o-mini',
      input: 'What is the weather?',
      tools,
    });
    const retrieved = await openai.responses.retrieve(created.id);
    assert.equal(retrieved.id, created.id);
    assert.equal(retrieved.status, 'completed');
    assert.deepEqual(retrieved.output, created.output);
    assert.deepEqual(retrieved.usage, created.usage);
    const missing = await openai.responses.retrieve('resp_unknown').catch((e: unknown) => e);
    assert.ok(missing instanceof OpenAI.NotFoundError, String(missing));
  });

  it('streams events in order, each with a sequence number (stream: true)', async () => {
    const stream = await openai.responses.create({
      model: 'gpt-4o-mini',
      input: 'Tell me something short.',
      stream: true,
    });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const types = [...new Set(events.map((e) => e.type))];
    assert.deepEqual(types, [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    assert.deepEqual(
      events.map((e) => e.sequence_number),
      events.map((_, i) => i),
    );
    const done = events.find((e) => e.type === 'response.output_text.done');
    const completed = events.at(-1);
    assert.ok(completed?.type === 'response.completed');
    assert.equal(
      done?.type === 'response.output_text.done' && done.text,
      completed.response.output_text ?? (await stack.result(completed.response.id)).text,
    );
  });

  it('streams a function call as output_item.added, arguments delta and done, output_item.done', async () => {
    const stream = await openai.responses.create({
      model: 'claude-haiku-4-5',
      input: 'Weather in Paris?',
      tools,
      stream: true,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    assert.deepEqual(types.slice(2), [
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
  });

  it('validates text.format json_schema and answers the JSON', async () => {
    const schema = {
      type: 'object',
      required: ['city'],
      properties: { city: { type: 'string' } },
      additionalProperties: false,
    };
    const response = await openai.responses.create({
      model: 'gpt-4o-mini',
      input: 'The largest city in France, as JSON.',
      text: { format: { type: 'json_schema', name: 'city', schema, strict: true } },
    });
    assert.deepEqual(JSON.parse(response.output_text), (await stack.result(response.id)).output);
  });

  it('accepts an input_image and counts it', async () => {
    const plain = await openai.responses.create({
      model: 'gpt-4o-mini',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Describe this.' }] }],
    });
    const image = await openai.responses.create({
      model: 'gpt-4o-mini',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Describe this.' },
            { type: 'input_image', image_url: `data:image/png;base64,${PNG}`, detail: 'low' },
          ],
        },
      ],
    });
    assert.equal(stack.h.emulator.calls().at(-1)?.images?.length, 1);
    assert.ok((image.usage?.input_tokens ?? 0) > (plain.usage?.input_tokens ?? 0));
  });
});

describe('bad input through responses: a 400 naming the field, nothing started', () => {
  async function badRequest(
    body: Record<string, unknown>,
  ): Promise<InstanceType<typeof OpenAI.BadRequestError>> {
    const before = stack.h.emulator.calls().length;
    const error = await openai.responses
      .create({
        model: 'gpt-4o-mini',
        input: 'Weather?',
        ...body,
      } as OpenAI.Responses.ResponseCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    assert.ok(error instanceof OpenAI.BadRequestError, String(error));
    assert.equal(stack.h.emulator.calls().length, before, 'no provider was called');
    return error;
  }

  it('a tool_choice naming an unknown tool', async () => {
    assert.equal(
      (await badRequest({ tools, tool_choice: { type: 'function', name: 'nope' } })).param,
      'tool_choice.name',
    );
  });

  it('a function_call_output with no matching call', async () => {
    const error = await badRequest({
      input: [{ type: 'function_call_output', call_id: 'call_x', output: 'r' }],
    });
    assert.equal(error.param, 'input[0].call_id');
  });

  it('malformed and oversized image data', async () => {
    const image = (url: string) => ({
      input: [{ role: 'user', content: [{ type: 'input_image', image_url: url, detail: 'auto' }] }],
    });
    assert.equal(
      (await badRequest(image('data:image/png;base64,!!!!'))).param,
      'input[0].content[0].image_url',
    );
    const big = Buffer.alloc(6 * 1024 * 1024).toString('base64');
    assert.equal(
      (await badRequest(image(`data:image/png;base64,${big}`))).param,
      'input[0].content[0].image_url',
    );
  });

  it('a tool without a schema', async () => {
    assert.equal(
      (await badRequest({ tools: [{ type: 'function', name: 'f' }] })).param,
      'tools[0].parameters',
    );
  });

  it('store: false, and a previous_response_id that is not there', async () => {
    assert.equal((await badRequest({ store: false })).param, 'store');
    assert.equal((await badRequest({ previous_response_id: 'resp_nothing' })).param, 'previous_response_id');
  });
});
