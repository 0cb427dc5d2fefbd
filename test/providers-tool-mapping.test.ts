// The wire mappings of tools, tool calls, tool results and images for both providers: our messages
// in, the bodies each API documents out, and their tool calls back into ours.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage, ToolDefinition } from '../common/request.js';
import {
  anthropicFinishReason,
  anthropicToolId,
  fromAnthropicToolCalls,
  toAnthropicMessages,
  toAnthropicToolChoice,
  toAnthropicTools,
} from '../core/providers/anthropicMessages.js';
import {
  fromOpenAiToolCalls,
  OpenAiToolCallAssembler,
  openAiFinishReason,
  toOpenAiMessages,
  toOpenAiToolChoice,
  toOpenAiTools,
} from '../core/providers/openaiMessages.js';

const CONVERSATION: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  {
    role: 'user',
    content: [
      { type: 'text', text: 'Weather where this was taken?' },
      { type: 'image', source: { mediaType: 'image/png', data: 'iVBORw0KGgo=' }, detail: 'low' },
    ],
  },
  {
    role: 'assistant',
    content: '',
    toolCalls: [
      { id: 'call_1', name: 'get_weather', arguments: { city: 'Oslo' }, rawArguments: '{"city":"Oslo"}' },
      { id: 'call.2', name: 'get_time', arguments: { zone: 'CET' }, rawArguments: '{"zone":"CET"}' },
    ],
  },
  { role: 'tool', toolCallId: 'call_1', content: '{"tempC":3}' },
  { role: 'tool', toolCallId: 'call.2', content: 'clock unavailable', isError: true },
];
const TOOL: ToolDefinition = {
  name: 'get_weather',
  description: 'Weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
  strict: true,
};

describe('the OpenAI tool mapping', () => {
  it('sends parts, tool calls and tool results in the Chat Completions format', () => {
    assert.deepEqual(toOpenAiMessages(CONVERSATION), [
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather where this was taken?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          { id: 'call.2', type: 'function', function: { name: 'get_time', arguments: '{"zone":"CET"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"tempC":3}' },
      { role: 'tool', tool_call_id: 'call.2', content: 'clock unavailable' },
    ]);
    assert.deepEqual(toOpenAiTools([TOOL]), [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather in a city',
          parameters: TOOL.parameters,
          strict: true,
        },
      },
    ]);
    assert.equal(toOpenAiToolChoice('required'), 'required');
    assert.deepEqual(toOpenAiToolChoice({ name: 'get_weather' }), {
      type: 'function',
      function: { name: 'get_weather' },
    });
  });

  it('reads tool calls, keeping arguments that are not JSON as text for validation to report', () => {
    const calls = fromOpenAiToolCalls([
      { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
      { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":' } },
    ]);
    assert.deepEqual(calls, [
      { id: 'call_a', name: 'get_weather', arguments: { city: 'Rome' }, rawArguments: '{"city":"Rome"}' },
      { id: 'call_b', name: 'get_weather', arguments: '{"city":', rawArguments: '{"city":' },
    ]);
    assert.equal(openAiFinishReason('tool_calls'), 'tool_calls');
    assert.equal(openAiFinishReason('function_call'), 'tool_calls');
  });

  it('assembles streamed tool-call fragments by index', () => {
    const assembler = new OpenAiToolCallAssembler();
    assembler.add({
      index: 0,
      id: 'call_a',
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    assembler.add({
      index: 1,
      id: 'call_b',
      type: 'function',
      function: { name: 'get_time', arguments: '' },
    });
    assembler.add({ index: 0, function: { arguments: '{"city":' } });
    assembler.add({ index: 1, function: { arguments: '{"zone":"UTC"}' } });
    assembler.add({ index: 0, function: { arguments: '"Rome"}' } });
    assert.deepEqual(assembler.toolCalls(), [
      { id: 'call_a', name: 'get_weather', arguments: { city: 'Rome' }, rawArguments: '{"city":"Rome"}' },
      { id: 'call_b', name: 'get_time', arguments: { zone: 'UTC' }, rawArguments: '{"zone":"UTC"}' },
    ]);
  });
});

describe('the Anthropic tool mapping', () => {
  it('sends the system apart, tool calls as tool_use, and the tool results as one user turn', () => {
    const { system, messages } = toAnthropicMessages(CONVERSATION);
    assert.equal(system, 'Be brief.');
    assert.deepEqual(messages, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather where this was taken?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Oslo' } },
          { type: 'tool_use', id: 'call_2', name: 'get_time', input: { zone: 'CET' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '{"tempC":3}' },
          { type: 'tool_result', tool_use_id: 'call_2', content: 'clock unavailable', is_error: true },
        ],
      },
    ]);
  });

  it('maps another provider ids to the characters Anthropic allows, the same for call and result', () => {
    assert.equal(anthropicToolId('call_AbC-9'), 'call_AbC-9');
    assert.equal(anthropicToolId('call.2/x'), 'call_2_x');
  });

  it('maps tools, tool choice and parallel calls', () => {
    assert.deepEqual(toAnthropicTools([TOOL]), [
      { name: 'get_weather', description: 'Weather in a city', input_schema: TOOL.parameters },
    ]);
    assert.deepEqual(toAnthropicToolChoice('required', undefined), { type: 'any' });
    assert.deepEqual(toAnthropicToolChoice({ name: 'get_weather' }, false), {
      type: 'tool',
      name: 'get_weather',
      disable_parallel_tool_use: true,
    });
    assert.deepEqual(toAnthropicToolChoice('none', undefined), { type: 'none' });
    assert.equal(toAnthropicToolChoice(undefined, undefined), undefined);
  });

  it('reads tool_use blocks as tool calls and stop reasons as ours', () => {
    const calls = fromAnthropicToolCalls([
      { type: 'text', text: 'Let me check.', citations: null },
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } },
    ] as Parameters<typeof fromAnthropicToolCalls>[0]);
    assert.deepEqual(calls, [
      { id: 'toolu_1', name: 'get_weather', arguments: { city: 'Oslo' }, rawArguments: '{"city":"Oslo"}' },
    ]);
    assert.equal(anthropicFinishReason('tool_use'), 'tool_calls');
    assert.equal(anthropicFinishReason('max_tokens'), 'length');
    assert.equal(anthropicFinishReason('refusal'), 'content_filter');
  });
});
