// Events a streaming request publishes while its provider calls run. Readers (the client's
// `stream()` and the HTTP API's SSE) concatenate `delta` texts of the current try; `try_failed`
// tells them the text so far is void and another try or model follows.
import type { AgentEvent } from '../../common/agents/events.js';

export type StreamEvent =
  /** An agent run's progress (common/agents/events.ts), on the run's own stream. */
  | AgentEvent
  | { type: 'try_started'; model: string; provider: string; try: number }
  | { type: 'delta'; model: string; try: number; text: string }
  /** A piece of a tool call as the model writes it: `index` orders calls; id and name come first. */
  | {
      type: 'tool_call_delta';
      model: string;
      try: number;
      index: number;
      id?: string;
      name?: string;
      argumentsDelta: string;
    }
  | { type: 'try_failed'; model: string; try: number; errorType: string; message: string }
  | { type: 'try_succeeded'; model: string; try: number };

/** Where the provider activity publishes stream events (Redis Streams in production). */
export interface StreamPublisher {
  publish(requestId: string, event: StreamEvent): Promise<void>;
}

/** One stored event and its place in the request's stream: a Redis stream entry id, `<ms>-<seq>`. */
export interface StreamEntry {
  id: string;
  event: StreamEvent;
}

/** Read from the start of a request's stream. */
export const STREAM_START = '0';

/** The shape of an entry id (Redis stream ids; the in-process store uses the same form). */
export const ENTRY_ID_PATTERN: RegExp = /^\d+-\d+$/;

export interface StreamReadOptions {
  /** When nothing follows `afterId` yet, wait this long for a first entry; 0 (default) answers at once. */
  blockMs?: number;
  /** At most this many entries per read. */
  count?: number;
  /** Ends a blocking read early; it then answers with no entries. */
  signal?: AbortSignal;
}

/**
 * Reads a request's events after a given entry id, so a reader that went away can come back with the
 * last id it saw and continue without gaps or duplicates.
 */
export interface StreamReader {
  read(requestId: string, afterId: string, options?: StreamReadOptions): Promise<StreamEntry[]>;
}

/** Both ends of request streams, and the connections behind them. */
export interface StreamStore extends StreamPublisher, StreamReader {
  /** Answers when the store can be used (a Redis PING); throws otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Orders two entry ids (`<ms>-<seq>`) numerically. */
export function compareEntryIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}
