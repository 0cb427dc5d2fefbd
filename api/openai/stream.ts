// A streaming chat completion: our request's events as chat.completion.chunk SSE, ending with
// `data: [DONE]`. OpenAI's format cannot take text back, so when a try fails after some of its text was
// sent (or a repair replaces it), the stream ends with an error event instead of a silently truncated
// or spliced answer; the request itself carries on, and sending it again with the same Idempotency-Key
// streams the finished answer.

import type { OrchestratorClient } from '../../client/client.js';
import type { StreamReader } from '../../core/streaming/types.js';
import { STREAM_START } from '../../core/streaming/types.js';
import { errorBody } from '../errors.js';
import type { SseStream } from '../sse.js';
import { answerText, type CompletionMeta, chunk, openAiError, usageChunk } from './format.js';

export interface ChatStreamOptions {
  client: OrchestratorClient;
  reader: StreamReader;
  requestId: string;
  meta: CompletionMeta;
  includeUsage: boolean;
}

/**
 * Where to start reading so that only the current try's text is sent: after the last `try_started`
 * or `try_failed` already stored. A client re-sending the request after a fallback then gets the
 * answer of the model that is now trying, not the text of the one that failed.
 */
async function currentTryStart(reader: StreamReader, requestId: string): Promise<string> {
  let after = STREAM_START;
  let start = STREAM_START;
  for (;;) {
    const entries = await reader.read(requestId, after, { count: 1000 });
    if (entries.length === 0) return start;
    for (const entry of entries) {
      after = entry.id;
      if (entry.event.type === 'try_started' || entry.event.type === 'try_failed') start = entry.id;
    }
  }
}

export async function streamChatCompletion(sse: SseStream, options: ChatStreamOptions): Promise<void> {
  const { client, reader, requestId, meta } = options;
  const send = (body: unknown): void => sse.send({ data: JSON.stringify(body) });
  const fail = (message: string, code: string): void => {
    send(openAiError(502, { type: code, message }));
  };
  let sent = '';
  let roleSent = false;
  const sendText = (text: string): void => {
    if (!roleSent) {
      send(chunk(meta, { role: 'assistant', content: '' }));
      roleSent = true;
    }
    if (text) send(chunk(meta, { content: text }));
    sent += text;
  };
  const interrupted = (why: string): void =>
    fail(
      `the answer was interrupted after ${sent.length} characters (${why}); request ${requestId} continues on another try or model: send it again with the same Idempotency-Key, or GET /v1/requests/${requestId}, for the complete answer`,
      'StreamInterruptedError',
    );
  try {
    const afterId = await currentTryStart(reader, requestId);
    for await (const event of client.follow(requestId, { afterId, signal: sse.signal })) {
      if (event.type === 'delta') sendText(event.text);
      else if ((event.type === 'try_failed' || event.type === 'try_started') && sent) {
        interrupted(
          event.type === 'try_failed'
            ? `${event.model} failed: ${event.errorType}: ${event.message}`
            : `${event.model} started a new answer`,
        );
        return;
      } else if (event.type === 'result') {
        const final = answerText(event.result);
        // The workflow's answer is the truth; deltas only preview it. Send what they did not.
        if (!final.startsWith(sent)) {
          interrupted('the validated answer differs from the text streamed so far');
          return;
        }
        sendText(final.slice(sent.length));
        send({ ...chunk(meta, {}, 'stop'), model: event.result.model });
        if (options.includeUsage) send(usageChunk(meta, event.result));
        sse.send({ data: '[DONE]' });
      }
    }
  } catch (error) {
    const body = errorBody(error);
    fail(body.message, body.type);
  }
}
