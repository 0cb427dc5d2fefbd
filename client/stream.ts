// Following a request's stream: the events the provider calls publish, read after a given entry id,
// until the workflow ends; then its validated result (or its typed failure). The answer always comes
// from the workflow, never from gluing deltas together.

import type { LlmResult } from '../common/request.js';
import { STREAM_START, type StreamEvent, type StreamReader } from '../core/streaming/types.js';

/**
 * What a stream reader receives: each published event with its entry id (give it back as `afterId`
 * to continue after it), then the final result. A `try_started` begins a new answer and a
 * `try_failed` voids the text of its try: the answer so far is discarded, another try or model follows.
 */
export type RequestStreamEvent = (StreamEvent & { id: string }) | { type: 'result'; result: LlmResult };

export interface FollowOptions<R = LlmResult> {
  reader: StreamReader;
  /** The stream id: a request id, or an agent run id. */
  requestId: string;
  /** The workflow's outcome: its result, or a rejection with its typed failure. */
  result: Promise<R>;
  /** The last entry id already seen; the stream continues after it (default: from the start). */
  afterId?: string;
  /** Stops following; the generator then ends without a result. */
  signal?: AbortSignal;
  /** Longest single wait for new events (the wait also ends when the workflow does). */
  blockMs?: number;
}

const DEFAULT_BLOCK_MS = 5000;

type Outcome<R> = { ok: true; result: R } | { ok: false; error: unknown };

export function followRequest(options: FollowOptions): AsyncGenerator<RequestStreamEvent, void> {
  return followStream(options);
}

/** Any workflow's stream (a request's, an agent run's): its events, then the workflow's result `R`. */
export async function* followStream<R>(
  options: FollowOptions<R>,
): AsyncGenerator<(StreamEvent & { id: string }) | { type: 'result'; result: R }, void> {
  const { reader, requestId } = options;
  let settled = false;
  const ended = new AbortController();
  const outcome: Promise<Outcome<R>> = options.result.then(
    (result) => ({ ok: true, result }),
    (error: unknown) => ({ ok: false, error }),
  );
  void outcome.then(() => {
    settled = true;
    ended.abort();
  });
  const wait = options.signal ? AbortSignal.any([options.signal, ended.signal]) : ended.signal;
  let after = options.afterId ?? STREAM_START;
  for (;;) {
    if (options.signal?.aborted) return;
    // Once the workflow has ended every event is already stored: read what is left without waiting.
    const draining = settled;
    const entries = await reader.read(
      requestId,
      after,
      draining ? {} : { blockMs: options.blockMs ?? DEFAULT_BLOCK_MS, signal: wait },
    );
    for (const entry of entries) {
      after = entry.id;
      yield { ...entry.event, id: entry.id };
    }
    if (draining && entries.length === 0) break;
  }
  const end = await outcome;
  if (!end.ok) throw end.error;
  yield { type: 'result', result: end.result };
}

/**
 * The answer as the deltas tell it so far: the text since the last `try_started`, and how many tries'
 * text was thrown away because the try failed or was followed by another (a fallback or a repair).
 */
export class StreamedText {
  text = '';
  discardedTries = 0;

  /** Takes one event; returns true when it threw away text already shown. */
  apply(event: RequestStreamEvent): boolean {
    if (event.type === 'delta') this.text += event.text;
    if (event.type !== 'try_started' && event.type !== 'try_failed') return false;
    const hadText = this.text.length > 0;
    if (hadText) this.discardedTries += 1;
    this.text = '';
    return hadText;
  }
}
