// A streaming chat completion: our request's events as chat.completion.chunk SSE, ending with
// `data: [DONE]`; an interrupted or failed answer ends with an error event (api/wire/answerStream.ts).
//
// Tool calls are sent from the workflow's final result, one chunk per call with its id, name and whole
// arguments, not from the providers' `tool_call_delta` events: the arguments are validated against the
// tool's schema and a failing answer is re-asked or handed to another model, so fragments streamed
// early could be withdrawn, which OpenAI's chunk format cannot express.
import type { OrchestratorClient } from '../../client/client.js';
import type { StreamReader } from '../../core/streaming/types.js';
import type { SseStream } from '../sse.js';
import { followAnswer } from '../wire/answerStream.js';
import {
  answerText,
  type CompletionMeta,
  chunk,
  finishReason,
  openAiError,
  usageChunk,
  wireToolCalls,
} from './format.js';

export interface ChatStreamOptions {
  client: OrchestratorClient;
  reader: StreamReader;
  requestId: string;
  meta: CompletionMeta;
  includeUsage: boolean;
}

export async function streamChatCompletion(sse: SseStream, options: ChatStreamOptions): Promise<void> {
  const { meta } = options;
  const send = (body: unknown): void => sse.send({ data: JSON.stringify(body) });
  let roleSent = false;
  const role = (): void => {
    if (roleSent) return;
    send(chunk(meta, { role: 'assistant', content: '' }));
    roleSent = true;
  };
  await followAnswer(
    { ...options, signal: sse.signal, textOf: answerText },
    {
      text: (text) => {
        role();
        send(chunk(meta, { content: text }));
      },
      result: (result) => {
        role();
        wireToolCalls(result.toolCalls ?? []).forEach((call, index) => {
          send(chunk(meta, { tool_calls: [{ index, ...call }] }));
        });
        send({ ...chunk(meta, {}, finishReason(result)), model: result.model });
        if (options.includeUsage) send(usageChunk(meta, result));
        sse.send({ data: '[DONE]' });
      },
      interrupted: (error) => send(openAiError(502, error)),
      failed: (error) => send(openAiError(502, error)),
    },
  );
}
