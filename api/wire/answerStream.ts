// Following one request's answer for a wire door's stream: the current try's text deltas as they
// come, then the workflow's validated result. None of the three wire formats can take text back, so
// when a try fails after some of its text was sent (or a repair or another model replaces it), the
// door is told the stream was interrupted instead of being handed a spliced answer; the request
// itself carries on, and sending it again with the same Idempotency-Key streams the finished answer.
import type { OrchestratorClient } from '../../client/client.js';
import type { LlmResult } from '../../common/request.js';
import { STREAM_START, type StreamReader } from '../../core/streaming/types.js';
import { type ApiErrorBody, errorBody } from '../errors.js';

/** What a door does with the answer: its format's events for each. */
export interface AnswerSink {
  /** Text of the current try, in order; never called with text that was sent before. */
  text(delta: string): void;
  /** The validated result, after every text delta that agrees with it. */
  result(result: LlmResult): void;
  /** The text sent so far is void: the stream must end with an error. */
  interrupted(error: ApiErrorBody): void;
  /** The request failed (its typed failure) or could not be followed. */
  failed(error: ApiErrorBody): void;
}

export interface FollowAnswerOptions {
  client: OrchestratorClient;
  reader: StreamReader;
  requestId: string;
  signal: AbortSignal;
  /** The answer's text as the door shows it, to compare with what was streamed. */
  textOf(result: LlmResult): string;
}

/**
 * Where to start reading so that only the current try's text is sent: after the last `try_started`
 * or `try_failed` already stored. A client re-sending the request after a fallback then gets the
 * answer of the model that is now trying, not the text of the one that failed.
 */
export async function currentTryStart(reader: StreamReader, requestId: string): Promise<string> {
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

export async function followAnswer(options: FollowAnswerOptions, sink: AnswerSink): Promise<void> {
  const { client, reader, requestId } = options;
  let sent = '';
  const interrupted = (why: string): void =>
    sink.interrupted({
      type: 'StreamInterruptedError',
      message: `the answer was interrupted after ${sent.length} characters (${why}); request ${requestId} continues on another try or model: send it again with the same Idempotency-Key, or GET /v1/requests/${requestId}, for the complete answer`,
    });
  const send = (text: string): void => {
    if (!text) return;
    sink.text(text);
    sent += text;
  };
  try {
    const afterId = await currentTryStart(reader, requestId);
    for await (const event of client.follow(requestId, { afterId, signal: options.signal })) {
      if (event.type === 'delta') send(event.text);
      else if ((event.type === 'try_failed' || event.type === 'try_started') && sent) {
        interrupted(
          event.type === 'try_failed'
            ? `${event.model} failed: ${event.errorType}: ${event.message}`
            : `${event.model} started a new answer`,
        );
        return;
      } else if (event.type === 'result') {
        const final = options.textOf(event.result);
        // The workflow's answer is the truth; deltas only preview it. Send what they did not.
        if (!final.startsWith(sent)) {
          interrupted('the validated answer differs from the text streamed so far');
          return;
        }
        send(final.slice(sent.length));
        sink.result(event.result);
      }
    }
  } catch (error) {
    sink.failed(errorBody(error));
  }
}
