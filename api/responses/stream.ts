// A streamed Response in OpenAI's event order, each event with its `sequence_number`:
// response.created, response.in_progress, then the message (output_item.added, content_part.added,
// output_text.delta…, output_text.done, content_part.done, output_item.done), then each function call
// (output_item.added, function_call_arguments.delta, .done, output_item.done), then
// response.completed — or response.failed when the request fails, or an `error` event when text
// already sent turned out void (api/wire/answerStream.ts).
//
// Function calls are sent from the workflow's final result, their whole arguments in one delta: the
// arguments are validated against the tool's schema and may be repaired or come from another model,
// so earlier fragments could not be taken back.
import type { OrchestratorClient } from '../../client/client.js';
import type { LlmResult } from '../../common/request.js';
import type { StreamReader } from '../../core/streaming/types.js';
import type { ApiErrorBody } from '../errors.js';
import { answerText } from '../openai/format.js';
import type { SseStream } from '../sse.js';
import { followAnswer } from '../wire/answerStream.js';
import {
  functionCallItem,
  functionCallItemId,
  messageItem,
  messageItemId,
  outputTextPart,
  type ResponseView,
  responseObject,
} from './format.js';

export interface ResponseStreamOptions {
  client: OrchestratorClient;
  reader: StreamReader;
  /** The response as it starts: in progress, no output. */
  view: ResponseView;
}

export async function streamResponse(sse: SseStream, options: ResponseStreamOptions): Promise<void> {
  const { view } = options;
  const id = view.id;
  let sequence = 0;
  const emit = (type: string, fields: Record<string, unknown>): void => {
    sse.send({ event: type, data: JSON.stringify({ type, sequence_number: sequence++, ...fields }) });
  };
  let text: string | undefined;
  const itemId = messageItemId(id);
  const openMessage = (): void => {
    if (text !== undefined) return;
    text = '';
    emit('response.output_item.added', { output_index: 0, item: messageItem(id, undefined, false) });
    emit('response.content_part.added', {
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      part: outputTextPart(''),
    });
  };
  const closeMessage = (): number => {
    if (text === undefined) return 0;
    emit('response.output_text.done', {
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      text,
      logprobs: [],
    });
    emit('response.content_part.done', {
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      part: outputTextPart(text),
    });
    emit('response.output_item.done', { output_index: 0, item: messageItem(id, text, true) });
    return 1;
  };
  const finish = (result: LlmResult): void => {
    const calls = result.toolCalls ?? [];
    if (text === undefined && (answerText(result) !== '' || calls.length === 0)) openMessage();
    const first = closeMessage();
    calls.forEach((call, i) => {
      const outputIndex = first + i;
      const callId = functionCallItemId(id, i);
      emit('response.output_item.added', {
        output_index: outputIndex,
        item: functionCallItem(id, i, call, false),
      });
      emit('response.function_call_arguments.delta', {
        item_id: callId,
        output_index: outputIndex,
        delta: call.rawArguments,
      });
      emit('response.function_call_arguments.done', {
        item_id: callId,
        output_index: outputIndex,
        name: call.name,
        arguments: call.rawArguments,
      });
      emit('response.output_item.done', {
        output_index: outputIndex,
        item: functionCallItem(id, i, call, true),
      });
    });
    emit('response.completed', { response: responseObject({ ...view, status: 'completed', result }) });
  };
  const failed = (error: ApiErrorBody): void => {
    emit('response.failed', { response: responseObject({ ...view, status: 'failed', error }) });
  };

  emit('response.created', { response: responseObject(view) });
  emit('response.in_progress', { response: responseObject(view) });
  await followAnswer(
    { client: options.client, reader: options.reader, requestId: id, signal: sse.signal, textOf: answerText },
    {
      text: (delta) => {
        openMessage();
        text += delta;
        emit('response.output_text.delta', {
          item_id: itemId,
          output_index: 0,
          content_index: 0,
          delta,
          logprobs: [],
        });
      },
      result: finish,
      interrupted: (error) => emit('error', { code: error.type, message: error.message, param: null }),
      failed,
    },
  );
}
