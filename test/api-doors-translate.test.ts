// The three wire doors' translations, without a server: Chat Completions, Responses and Messages
// bodies in, our requests out (tools, tool calls, tool results, images), our results out in each
// format, and each bad input a 400 naming the wire field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { message, stopReason } from '../api/anthropic/format.js';
import { toLlmRequest as fromMessages, type MessagesBody } from '../api/anthropic/request.js';
import { FieldError } from '../api/errors.js';
import { completion } from '../api/openai/format.js';
import { type ChatCompletionBody, toLlmRequest as fromChat } from '../api/openai/request.js';
import { outputItems, responseObject } from '../api/responses/format.js';
import { toLlmRequest as fromResponses, type ResponsesBody } from '../api/responses/request.js';
import { dottedPath } from '../api/wire/failure.js';
import { MAX_IMAGE_BYTES } from '../api/wire/images.js';
import type { LlmResult } from '../common/request.js';

/** A 1×1 PNG. */
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const choice = { taskType: 'general_qa', model: 'gpt-4o-mini' };
const weather = {
  name: 'get_weather',
  description: 'Weather in a city',
  parameters: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
};

function refusal(fn: () => unknown): FieldError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof FieldError, `a FieldError, got ${String(error)}`);
    assert.equal(error.status, 400);
    return error;
  }
  assert.fail('expected a 400');
}

const result = (over: Partial<LlmResult> = {}): LlmResult => ({
  requestId: 'r',
  workflowId: 'r',
  model: 'claude-haiku-4-5',
  provider: 'p',
  templateId: 'chat',
  templateVersion: '1',
  output: '',
  text: '',
  usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
  costUsd: 0,
  cached: false,
  attempts: [],
  routeDecision: '',
  ...over,
});

const call = {
  id: 'call_1',
  name: 'get_weather',
  arguments: { city: 'Paris' },
  rawArguments: '{"city":"Paris"}',
};

describe('the Chat Completions door', () => {
  const chat = (body: Partial<ChatCompletionBody>) =>
    fromChat({ model: 'gpt-4o-mini', messages: [], ...body } as ChatCompletionBody, choice, 'id', 'me');

  it('maps tools, tool_choice, assistant tool_calls, tool messages and image parts', () => {
    const request = chat({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'low' } },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      ],
      tools: [{ type: 'function', function: weather }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
    });
    assert.deepEqual(request.messages, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather?' },
          { type: 'image', source: { mediaType: 'image/png', data: PNG }, detail: 'low' },
          { type: 'image', source: { url: 'https://example.com/a.png' } },
        ],
      },
      { role: 'assistant', content: '', toolCalls: [call] },
      { role: 'tool', content: 'sunny', toolCallId: 'call_1' },
    ]);
    assert.deepEqual(request.tools, [weather]);
    assert.deepEqual(request.toolChoice, { name: 'get_weather' });
    assert.equal(request.parallelToolCalls, false);
  });

  it('answers tool calls as message.tool_calls with finish_reason tool_calls and null content', () => {
    const body = completion({ id: 'chat-1', created: 1, model: 'x' }, result({ toolCalls: [call] })) as {
      choices: { message: Record<string, unknown>; finish_reason: string }[];
    };
    assert.equal(body.choices[0]?.finish_reason, 'tool_calls');
    assert.equal(body.choices[0]?.message.content, null);
    assert.deepEqual(body.choices[0]?.message.tool_calls, [
      { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
  });

  it('refuses n > 1, naming n', () => {
    assert.equal(refusal(() => chat({ n: 2, messages: [{ role: 'user', content: 'hi' }] })).param, 'n');
  });

  it('refuses a tool_choice naming a tool not offered', () => {
    const error = refusal(() =>
      chat({
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ type: 'function', function: weather }],
        tool_choice: { type: 'function', function: { name: 'nope' } },
      }),
    );
    assert.equal(error.param, 'tool_choice.function.name');
    assert.match(error.message, /"nope".*get_weather/);
  });

  it('refuses a tool message that answers no call', () => {
    const error = refusal(() =>
      chat({
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'tool', tool_call_id: 'call_x', content: 'r' },
        ],
      }),
    );
    assert.equal(error.param, 'messages[1].tool_call_id');
  });

  it('refuses two tools of one name and a call answered twice', () => {
    const twice = refusal(() =>
      chat({
        messages: [{ role: 'user', content: 'hi' }],
        tools: [
          { type: 'function', function: weather },
          { type: 'function', function: weather },
        ],
      }),
    );
    assert.equal(twice.param, 'tools[1].function.name');
    const answered = refusal(() =>
      chat({
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'a' },
          { role: 'tool', tool_call_id: 'c1', content: 'b' },
        ],
      }),
    );
    assert.equal(answered.param, 'messages[3].tool_call_id');
  });

  it('refuses malformed, unknown-type and oversized image data', () => {
    const image = (url: string) => () =>
      chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }] });
    const param = 'messages[0].content[0].image_url.url';
    assert.equal(refusal(image('data:image/png;base64,@@@@')).param, param);
    assert.match(refusal(image('data:image/png;base64,@@@@')).message, /not valid base64/);
    assert.match(refusal(image('data:image/tiff;base64,AAAA')).message, /media type "image\/tiff"/);
    assert.match(refusal(image('data:image/png;base64,AAAAAAAA')).message, /not a image\/png image/);
    const big = Buffer.alloc(MAX_IMAGE_BYTES + 3).toString('base64');
    assert.match(refusal(image(`data:image/png;base64,${big}`)).message, /bytes.*at most/);
    assert.equal(refusal(image('ftp://x')).param, param);
  });

  it('refuses assistant tool-call arguments that are not JSON', () => {
    const error = refusal(() =>
      chat({
        messages: [
          {
            role: 'assistant',
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }],
          },
        ],
      }),
    );
    assert.equal(error.param, 'messages[0].tool_calls[0].function.arguments');
  });
});

describe('the Responses door', () => {
  const responses = (body: Partial<ResponsesBody>, earlier = []) =>
    fromResponses({ model: 'gpt-4o-mini', input: 'hi', ...body } as ResponsesBody, {
      choice,
      requestId: 'resp_1',
      caller: 'me',
      earlier,
    });

  it('maps instructions, message items with images, function calls and their outputs', () => {
    const request = responses({
      instructions: 'Be brief.',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Weather?' },
            { type: 'input_image', image_url: `data:image/png;base64,${PNG}`, detail: 'high' },
          ],
        },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
      ],
      tools: [{ type: 'function', ...weather, strict: true }],
      tool_choice: 'required',
      text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object' } } },
    });
    assert.deepEqual(request.messages, [
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather?' },
          { type: 'image', source: { mediaType: 'image/png', data: PNG }, detail: 'high' },
        ],
      },
      { role: 'assistant', content: '', toolCalls: [call] },
      { role: 'tool', content: 'sunny', toolCallId: 'call_1' },
    ]);
    assert.deepEqual(request.tools, [{ ...weather, strict: true }]);
    assert.equal(request.toolChoice, 'required');
    assert.deepEqual(request.schema, { type: 'object' });
    assert.equal(request.variables.instructions, 'Be brief.');
  });

  it('puts the stored conversation before the new input, so an output may answer an earlier call', () => {
    const earlier = [
      { role: 'user' as const, content: 'Weather?' },
      { role: 'assistant' as const, content: '', toolCalls: [call] },
    ];
    const request = responses(
      {
        previous_response_id: 'resp_0',
        input: [{ type: 'function_call_output', call_id: 'call_1', output: 'sunny' }],
      },
      earlier as never,
    );
    assert.deepEqual(request.messages?.slice(0, 2), earlier);
    assert.equal(request.variables.previousResponseId, 'resp_0');
  });

  it('refuses store: false, a function_call_output for no call, a non-function tool and a tool without parameters', () => {
    assert.equal(refusal(() => responses({ store: false })).param, 'store');
    assert.equal(
      refusal(() => responses({ input: [{ type: 'function_call_output', call_id: 'x', output: 'r' }] }))
        .param,
      'input[0].call_id',
    );
    assert.equal(refusal(() => responses({ tools: [{ type: 'web_search' }] })).param, 'tools[0].type');
    assert.equal(
      refusal(() => responses({ tools: [{ type: 'function', name: 'f' }] })).param,
      'tools[0].parameters',
    );
    assert.equal(
      refusal(() =>
        responses({
          tools: [{ type: 'function', ...weather }],
          tool_choice: { type: 'function', name: 'x' },
        }),
      ).param,
      'tool_choice.name',
    );
  });

  it('answers a message item and function_call items with call ids and usage', () => {
    const items = outputItems(
      'resp_abc',
      result({ text: 'Let me look.', output: 'Let me look.', toolCalls: [call] }),
    );
    assert.deepEqual(
      items.map((i) => [i.type, i.id]),
      [
        ['message', 'msg_abc'],
        ['function_call', 'fc_abc_0'],
      ],
    );
    assert.equal(items[1]?.call_id, 'call_1');
    const request = responses({});
    const body = responseObject({
      id: 'resp_abc',
      createdAt: 1,
      request,
      status: 'completed',
      result: result(),
    });
    assert.equal(body.object, 'response');
    assert.deepEqual(body.usage, {
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 15,
    });
  });
});

describe('the Messages door', () => {
  const messages = (body: Partial<MessagesBody>) =>
    fromMessages(
      { model: 'claude-haiku-4-5', max_tokens: 100, messages: [], ...body } as MessagesBody,
      choice,
      'msg_1',
      'me',
    );

  it('maps system blocks, images, tool_use and tool_result blocks, tool_choice and sampling', () => {
    const request = messages({
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Looking.' },
            { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'call_1',
              content: [{ type: 'text', text: 'sunny' }],
              is_error: true,
            },
            { type: 'text', text: 'Thanks' },
          ],
        },
      ],
      tools: [{ name: 'get_weather', description: 'Weather in a city', input_schema: weather.parameters }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      stop_sequences: ['END'],
      temperature: 0.5,
    });
    assert.deepEqual(request.messages, [
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather?' },
          { type: 'image', source: { mediaType: 'image/png', data: PNG } },
        ],
      },
      { role: 'assistant', content: 'Looking.', toolCalls: [call] },
      { role: 'tool', content: 'sunny', toolCallId: 'call_1', isError: true },
      { role: 'user', content: 'Thanks' },
    ]);
    assert.deepEqual(request.tools, [weather]);
    assert.equal(request.toolChoice, 'required');
    assert.equal(request.parallelToolCalls, false);
    assert.deepEqual(request.params, { maxOutputTokens: 100, temperature: 0.5, stop: ['END'] });
  });

  it('answers tool_use blocks with stop_reason tool_use', () => {
    const body = message('msg_1', result({ toolCalls: [call] })) as {
      content: unknown[];
      stop_reason: string;
    };
    assert.deepEqual(body.content, [
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    assert.equal(body.stop_reason, 'tool_use');
    assert.equal(stopReason(result({ finishReason: 'length' })), 'max_tokens');
  });

  it('refuses a tool_result for no call, a named tool not offered, bad image data and server tools', () => {
    assert.equal(
      refusal(() =>
        messages({
          messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: 'r' }] }],
        }),
      ).param,
      'messages[0].content[0].tool_use_id',
    );
    assert.equal(
      refusal(() =>
        messages({
          messages: [{ role: 'user', content: 'hi' }],
          tools: [{ name: 'get_weather', input_schema: weather.parameters }],
          tool_choice: { type: 'tool', name: 'other' },
        }),
      ).param,
      'tool_choice.name',
    );
    assert.equal(
      refusal(() =>
        messages({
          messages: [
            {
              role: 'user',
              content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'a b' } }],
            },
          ],
        }),
      ).param,
      'messages[0].content[0].source.data',
    );
    assert.equal(
      refusal(() =>
        messages({
          messages: [{ role: 'user', content: 'hi' }],
          tools: [{ name: 'web_search', type: 'web_search_20250305', input_schema: {} }],
        }),
      ).param,
      'tools[0].type',
    );
  });
});

describe('wire field names', () => {
  it('turns a JSON pointer into the dotted form the APIs use', () => {
    assert.equal(dottedPath('/messages/0/content/1/image_url'), 'messages[0].content[1].image_url');
    assert.equal(dottedPath(''), '');
  });
});
