// Tools and images through `/v1/chat/completions`, driven by the official `openai` client against the
// real stack: a tool round trip (tools → tool_calls → tool message → final answer), plain and
// streamed, served by a GPT model and by a Claude model; an image part accepted and counted; and each
// bad input a 400 naming the field, without starting anything.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { type ApiStack, startApiStack } from './support/apiStack.js';

const KEY = 'test-key-chat-tools-0123456789';
/** A 1×1 PNG. */
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const tools: OpenAI.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: {
        type: 'object',
        required: ['city'],
        properties: { city: { type: 'string' } },
        additionalProperties: false,
      },
    },
  },
];

let stack: ApiStack;
let openai: OpenAI;

before(async () => {
  stack = await startApiStack(KEY);
  openai = new OpenAI({ apiKey: KEY, baseURL: `${stack.base}/v1`, maxRetries: 0 });
});

after(async () => {
  await stack?.stop();
});

const question: OpenAI.ChatCompletionMessageParam = {
  role: 'user',
  content: 'What is the weather in Paris?',
};

function followUp(
  assistant: OpenAI.ChatCompletionMessage,
  call: OpenAI.ChatCompletionMessageToolCall,
): OpenAI.ChatCompletionMessageParam[] {
  return [
    question,
    { role: 'assistant', content: assistant.content, tool_calls: assistant.tool_calls ?? [] },
    { role: 'tool', tool_call_id: call.id, content: '{"celsius":21}' },
  ];
}

function functionCall(message: OpenAI.ChatCompletionMessage): OpenAI.ChatCompletionMessageFunctionToolCall {
  const call = message.tool_calls?.[0];
  assert.ok(call && call.type === 'function', 'the answer calls a function');
  return call;
}

for (const model of ['gpt-4o-mini', 'claude-haiku-4-5']) {
  describe(`a tool round trip through chat completions, served by ${model}`, () => {
    it('answers with tool_calls, then with text once the tool message is sent', async () => {
      const first = await openai.chat.completions.create({ model, messages: [question], tools });
      const choice = first.choices[0];
      assert.equal(choice?.finish_reason, 'tool_calls');
      assert.equal(choice?.message.content, null);
      const call = functionCall(choice.message);
      assert.equal(call.function.name, 'get_weather');
      assert.equal(typeof (JSON.parse(call.function.arguments) as { city: unknown }).city, 'string');
      const result = await stack.result(first.id);
      assert.equal(result.model, model);
      assert.equal(result.toolCalls?.[0]?.id, call.id, 'the call id is the one the workflow returned');

      const second = await openai.chat.completions.create({
        model,
        messages: followUp(choice.message, call),
        tools,
      });
      assert.equal(second.choices[0]?.finish_reason, 'stop');
      assert.match(second.choices[0]?.message.content ?? '', /get_weather returned/);
      const sent = stack.h.emulator.calls().at(-1);
      assert.deepEqual(sent?.toolResults, [call.id], 'the provider got the tool result for that call');
    });

    it('streams the tool calls and then the final text (chat.completions.stream)', async () => {
      const first = await openai.chat.completions
        .stream({ model, messages: [question], tools })
        .finalChatCompletion();
      const choice = first.choices[0];
      assert.equal(choice?.finish_reason, 'tool_calls');
      const call = functionCall(choice.message);
      assert.equal(call.function.name, 'get_weather');
      const stored = await stack.result(first.id);
      assert.equal(call.function.arguments, stored.toolCalls?.[0]?.rawArguments);

      const stream = openai.chat.completions.stream({
        model,
        messages: followUp(choice.message, call),
        tools,
      });
      const second = await stream.finalChatCompletion();
      assert.equal(second.choices[0]?.finish_reason, 'stop');
      assert.equal(second.choices[0]?.message.content, (await stack.result(second.id)).text);
    });
  });
}

describe('images and tool settings through chat completions', () => {
  it('accepts an image part and counts it in the prompt tokens', async () => {
    const text = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Describe this.' }] }],
    });
    const image = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe this.' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'low' } },
          ],
        },
      ],
    });
    const sent = stack.h.emulator.calls().at(-1);
    assert.equal(sent?.images?.length, 1, 'the provider received the image');
    assert.ok(
      (image.usage?.prompt_tokens ?? 0) > (text.usage?.prompt_tokens ?? 0),
      `with the image ${image.usage?.prompt_tokens} tokens, without ${text.usage?.prompt_tokens}`,
    );
  });

  it('passes tool_choice and parallel_tool_calls to the provider', async () => {
    const two: OpenAI.ChatCompletionTool[] = [
      ...tools,
      {
        type: 'function',
        function: {
          name: 'get_time',
          parameters: { type: 'object', properties: { zone: { type: 'string' } } },
        },
      },
    ];
    const named = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [question],
      tools: two,
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    });
    assert.deepEqual(
      named.choices[0]?.message.tool_calls?.map((c) => (c.type === 'function' ? c.function.name : c.type)),
      ['get_time'],
    );
    assert.equal(stack.h.emulator.calls().at(-1)?.toolChoice, 'tool:get_time');
    const parallel = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [question],
      tools: two,
    });
    assert.equal(parallel.choices[0]?.message.tool_calls?.length, 2, 'parallel calls by default');
    const single = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [question],
      tools: two,
      parallel_tool_calls: false,
    });
    assert.equal(single.choices[0]?.message.tool_calls?.length, 1);
  });
});

describe('bad input through chat completions: a 400 naming the field, nothing started', () => {
  async function badRequest(
    body: Record<string, unknown>,
  ): Promise<InstanceType<typeof OpenAI.BadRequestError>> {
    const before = stack.h.emulator.calls().length;
    const error = await openai.chat.completions
      .create({
        model: 'gpt-4o-mini',
        messages: [question],
        ...body,
      } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    assert.ok(error instanceof OpenAI.BadRequestError, String(error));
    assert.equal(stack.h.emulator.calls().length, before, 'no provider was called');
    return error;
  }

  it('n > 1', async () => {
    const error = await badRequest({ n: 2 });
    assert.equal(error.param, 'n');
  });

  it('a tool_choice naming an unknown tool', async () => {
    const error = await badRequest({ tools, tool_choice: { type: 'function', function: { name: 'nope' } } });
    assert.equal(error.param, 'tool_choice.function.name');
  });

  it('a tool message with no matching call', async () => {
    const error = await badRequest({
      messages: [question, { role: 'tool', tool_call_id: 'call_missing', content: 'x' }],
    });
    assert.equal(error.param, 'messages[1].tool_call_id');
  });

  it('malformed image data', async () => {
    const error = await badRequest({
      messages: [
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,%%%' } }] },
      ],
    });
    assert.equal(error.param, 'messages[0].content[0].image_url.url');
  });

  it('a tool without a schema', async () => {
    const error = await badRequest({ tools: [{ type: 'function', function: { name: 'f' } }] });
    assert.equal(error.param, 'tools[0].function.parameters');
  });

  it('an oversized image', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024).toString('base64');
    const error = await badRequest({
      messages: [
        {
          role: 'user',
          content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${big}` } }],
        },
      ],
    });
    assert.equal(error.param, 'messages[0].content[0].image_url.url');
  });
});
