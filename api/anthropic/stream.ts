// A streamed Message in Anthropic's event order: message_start, then per content block
// content_block_start, content_block_delta (text_delta / input_json_delta)…, content_block_stop,
// then message_delta with the stop reason and usage, then message_stop; `ping` once after the start.
// A failed request, or text already sent that turned out void (api/wire/answerStream.ts), ends the
// stream with an `error` event in Anthropic's error shape.
//
// tool_use blocks are sent from the workflow's final result, each input whole in one
// input_json_delta: the input is validated against the tool's schema and may be repaired or come from
// another model, so earlier fragments could not be taken back.
import type { OrchestratorClient } from '../../client/client.js';
import type { LlmResult } from '../../common/request.js';
import type { StreamReader } from '../../core/streaming/types.js';
import { type ApiErrorBody, statusFor } from '../errors.js';
import { answerText } from '../openai/format.js';
import type { SseStream } from '../sse.js';
import { followAnswer } from '../wire/answerStream.js';
import { anthropicError, anthropicStatus, stopReason, usage } from './format.js';

export interface MessageStreamOptions {
  client: OrchestratorClient;
  reader: StreamReader;
  requestId: string;
  /** The model name as asked (the answering model is known at the end). */
  model: string;
}

export async function streamMessage(sse: SseStream, options: MessageStreamOptions): Promise<void> {
  const emit = (type: string, fields: Record<string, unknown>): void => {
    sse.send({ event: type, data: JSON.stringify({ type, ...fields }) });
  };
  let index = 0;
  let textOpen = false;
  const openText = (): void => {
    if (textOpen) return;
    textOpen = true;
    emit('content_block_start', { index, content_block: { type: 'text', text: '' } });
  };
  const closeBlock = (): void => {
    emit('content_block_stop', { index });
    index += 1;
  };
  const finish = (result: LlmResult): void => {
    const calls = result.toolCalls ?? [];
    if (!textOpen && (answerText(result) !== '' || calls.length === 0)) openText();
    if (textOpen) closeBlock();
    for (const call of calls) {
      emit('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
      });
      emit('content_block_delta', {
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(call.arguments) },
      });
      closeBlock();
    }
    emit('message_delta', {
      delta: { stop_reason: stopReason(result), stop_sequence: null },
      usage: usage(result),
    });
    emit('message_stop', {});
  };
  const failed = (error: ApiErrorBody): void => {
    emit('error', anthropicError(anthropicStatus(statusFor(error.type), error), error));
  };

  emit('message_start', {
    message: {
      id: options.requestId,
      type: 'message',
      role: 'assistant',
      model: options.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0 },
    },
  });
  emit('ping', {});
  await followAnswer(
    { ...options, signal: sse.signal, textOf: answerText },
    {
      text: (delta) => {
        openText();
        emit('content_block_delta', { index, delta: { type: 'text_delta', text: delta } });
      },
      result: finish,
      interrupted: failed,
      failed,
    },
  );
}
