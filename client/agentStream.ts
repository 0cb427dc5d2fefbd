// Following an agent run's progress: the events the run publishes to its stream (step started, tool
// called, tool result, approvals, finished), each step's own request events (text deltas) right
// after that step's `step_started`, then the run's result from the workflow (or its typed failure).
import type { AgentEvent } from '../common/agents/events.js';
import { type AgentRunResult, agentStepId, agentStreamId } from '../common/agents/types.js';
import { STREAM_START, type StreamEvent, type StreamReader } from '../core/streaming/types.js';

/**
 * What an agent run's follower receives:
 * - the run's own events with their entry id (give it back as `afterId` to continue after it);
 * - a step's request events (`delta`, `try_started`, …) marked with the `step`; their `id` is an entry
 *   of the step's stream, not the run's, so it is not a place to continue from;
 * - then the result.
 */
export type AgentStreamEvent =
  | (AgentEvent & { id: string })
  | (StreamEvent & { id: string; step: number })
  | { type: 'result'; result: AgentRunResult };

export interface FollowAgentOptions {
  reader: StreamReader;
  runId: string;
  /** The workflow's outcome: its result, or a rejection with its typed failure. */
  result: Promise<AgentRunResult>;
  /** The last run entry id already seen; the stream continues after it (default: from the start). */
  afterId?: string;
  /** Follow each step's request stream too (its text deltas); default true. */
  deltas?: boolean;
  signal?: AbortSignal;
  /** Longest single wait for new events. */
  blockMs?: number;
}

const DEFAULT_BLOCK_MS = 5000;

type Outcome = { ok: true; result: AgentRunResult } | { ok: false; error: unknown };

export async function* followAgentRun(options: FollowAgentOptions): AsyncGenerator<AgentStreamEvent, void> {
  const { reader } = options;
  const streamId = agentStreamId(options.runId);
  const blockMs = options.blockMs ?? DEFAULT_BLOCK_MS;
  const ended = new AbortController();
  const outcome: Promise<Outcome> = options.result.then(
    (result) => ({ ok: true, result }),
    (error: unknown) => ({ ok: false, error }),
  );
  void outcome.then(() => ended.abort());
  const wait = options.signal ? AbortSignal.any([options.signal, ended.signal]) : ended.signal;
  let after = options.afterId ?? STREAM_START;
  for (;;) {
    if (options.signal?.aborted) return;
    // Once the workflow has ended every event is already stored: read what is left without waiting.
    const draining = ended.signal.aborted;
    const entries = await reader.read(streamId, after, draining ? {} : { blockMs, signal: wait });
    for (const entry of entries) {
      after = entry.id;
      const event = entry.event as StreamEvent | AgentEvent;
      yield { ...event, id: entry.id } as AgentStreamEvent;
      if (event.type === 'step_started' && options.deltas !== false) {
        yield* followStep({ ...options, streamId, after, step: event.step, blockMs, runEnded: ended.signal });
      }
    }
    if (draining && entries.length === 0) break;
  }
  const end = await outcome;
  if (!end.ok) throw end.error;
  yield { type: 'result', result: end.result };
}

interface StepFollow {
  reader: StreamReader;
  runId: string;
  streamId: string;
  /** The run entry that announced the step. */
  after: string;
  step: number;
  blockMs: number;
  runEnded: AbortSignal;
  signal?: AbortSignal;
}

/**
 * A step's request events until the step is over: the run publishes its next event only after the
 * step's model call ended, so once the run's stream has an entry after the step's announcement (or
 * the run ended), everything the step published is stored and is read without waiting.
 */
async function* followStep(follow: StepFollow): AsyncGenerator<AgentStreamEvent, void> {
  const { reader, blockMs } = follow;
  const over = new AbortController();
  const stop = AbortSignal.any([over.signal, follow.runEnded, ...(follow.signal ? [follow.signal] : [])]);
  void waitForEntry(reader, follow.streamId, follow.after, blockMs, stop).then(() => over.abort());
  const stepStream = agentStepId(follow.runId, follow.step);
  let after = STREAM_START;
  try {
    for (;;) {
      if (follow.signal?.aborted) return;
      const draining = stop.aborted;
      const entries = await reader.read(stepStream, after, draining ? {} : { blockMs, signal: stop });
      for (const entry of entries) {
        after = entry.id;
        yield { ...entry.event, id: entry.id, step: follow.step } as AgentStreamEvent;
      }
      if (draining && entries.length === 0) return;
    }
  } finally {
    over.abort();
  }
}

/** Resolves once the stream has an entry after `after`, or when `signal` aborts. */
async function waitForEntry(
  reader: StreamReader,
  streamId: string,
  after: string,
  blockMs: number,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    const entries = await reader.read(streamId, after, { blockMs, count: 1, signal });
    if (entries.length > 0) return;
  }
}
