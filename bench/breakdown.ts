// Where a request's time goes, read from workflow histories: the critical path from the client's
// start call, through the llmRequest workflow, its modelCall child and back to the client, cut at
// every history event (and every local activity's completion, from its marker) into segments.
// Averaged over many requests, the segments' means add up to the mean end-to-end latency.
import type { Client } from '@temporalio/client';
import { type LatencyStats, latencyStats, round } from './report.js';

/** A request as the client saw it. */
export interface ClientTiming {
  workflowId: string;
  clientStartMs: number;
  clientEndMs: number;
}

interface HistoryEventLike {
  eventTime?: { seconds?: unknown; nanos?: number | null } | null;
  attributes?: string;
  markerRecordedEventAttributes?: {
    markerName?: string | null;
    details?: Record<string, { payloads?: { data?: Uint8Array | null }[] | null }> | null;
  } | null;
  [key: string]: unknown;
}

interface Point {
  atMs: number;
  label: string;
  kind: string;
}

export interface Segment {
  name: string;
  category: Category;
  stats: LatencyStats;
  /** This segment's mean as a share of the mean end-to-end latency. */
  share: number;
}

export type Category =
  | 'client ↔ server'
  | 'workflow task queue wait (scheduled → started)'
  | 'workflow task: local activities'
  | 'workflow task: other worker + completion RPC'
  | 'activity queue wait (scheduled → started)'
  | 'activity execution (provider call)'
  | 'server: child workflow start / result hand-off'
  | 'server: between events';

export interface Breakdown {
  /** Requests whose histories were read and matched the common shape. */
  analysed: number;
  /** Requests left out: another shape (fallbacks, retries, repairs) or a history that could not be read. */
  leftOut: number;
  shape: string;
  /**
   * Per analysed request (its history and its child's): events, and search-attribute upserts (each a
   * visibility write). Unlike times and CPU, these do not drift with the host.
   */
  perRequest: { historyEvents: number; searchAttributeUpserts: number };
  endToEnd: LatencyStats;
  segments: Segment[];
  categories: { category: Category; meanMs: number; share: number }[];
}

const CLIENT_START = 'client start';
const CLIENT_END = 'client has result';

function eventMs(event: HistoryEventLike): number {
  const seconds = Number(event.eventTime?.seconds ?? 0);
  return seconds * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;
}

/** 'workflowTaskScheduledEventAttributes' -> 'WorkflowTaskScheduled'. */
function eventKind(event: HistoryEventLike): string {
  const key =
    event.attributes ??
    Object.keys(event).find(
      (k) => k.endsWith('EventAttributes') && event[k] !== null && event[k] !== undefined,
    );
  if (!key) return 'Unknown';
  const name = key.replace(/EventAttributes$/, '');
  return name.charAt(0).toUpperCase() + name.slice(1);
}

const SHORT: Record<string, string> = {
  WorkflowExecutionStarted: 'started',
  WorkflowTaskScheduled: 'WFT scheduled',
  WorkflowTaskStarted: 'WFT started',
  WorkflowTaskCompleted: 'WFT completed',
  WorkflowTaskFailed: 'WFT failed',
  WorkflowTaskTimedOut: 'WFT timed out',
  ActivityTaskScheduled: 'activity scheduled',
  ActivityTaskStarted: 'activity started',
  ActivityTaskCompleted: 'activity completed',
  ActivityTaskFailed: 'activity failed',
  ActivityTaskTimedOut: 'activity timed out',
  StartChildWorkflowExecutionInitiated: 'child initiated',
  ChildWorkflowExecutionCompleted: 'child completed',
  ChildWorkflowExecutionFailed: 'child failed',
  TimerStarted: 'timer started',
  TimerFired: 'timer fired',
  WorkflowExecutionCompleted: 'completed',
  WorkflowExecutionFailed: 'failed',
};

/** The local activity's type and completion time from a core_local_activity marker. */
function localActivityDone(event: HistoryEventLike): { type: string; atMs: number } | undefined {
  const marker = event.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_local_activity') return undefined;
  const data = marker.details?.data?.payloads?.[0]?.data;
  if (!data) return undefined;
  const parsed = JSON.parse(Buffer.from(data).toString()) as {
    activity_type?: string;
    complete_time?: { seconds?: number; nanos?: number };
  };
  if (!parsed.activity_type || !parsed.complete_time) return undefined;
  const atMs = (parsed.complete_time.seconds ?? 0) * 1000 + (parsed.complete_time.nanos ?? 0) / 1e6;
  return { type: parsed.activity_type, atMs };
}

/** Significant events and local-activity completions of one history, in time order, with numbered WFTs. */
function points(role: string, events: HistoryEventLike[]): Point[] {
  const result: Point[] = [];
  const counts: Record<string, number> = {};
  for (const event of events) {
    const done = localActivityDone(event);
    if (done) {
      result.push({ atMs: done.atMs, label: `${role} ${done.type} done`, kind: 'LocalActivityDone' });
      continue;
    }
    const kind = eventKind(event);
    const short = SHORT[kind];
    if (!short) continue;
    // Number repeated steps (the first WFT, the second…) so segments line up across requests.
    const group = kind.replace(/(Scheduled|Started|Completed|Failed|TimedOut|Fired)$/, '');
    const ordinal = kind.endsWith('Scheduled') || kind === 'StartChildWorkflowExecutionInitiated' ? 1 : 0;
    counts[group] = (counts[group] ?? 0) + ordinal;
    const n = group === 'WorkflowTask' || group === 'ActivityTask' ? `#${counts[group] ?? 0} ` : '';
    result.push({ atMs: eventMs(event), label: `${role} ${n}${short}`.replace(/ +/g, ' '), kind });
  }
  // Markers come after the WFT completion that recorded them; their times put them inside the task.
  return result.sort((a, b) => a.atMs - b.atMs);
}

function categorise(from: Point, to: Point): Category {
  if (from.label === CLIENT_START || to.label === CLIENT_END) return 'client ↔ server';
  if (from.kind === 'WorkflowTaskScheduled' && to.kind === 'WorkflowTaskStarted')
    return 'workflow task queue wait (scheduled → started)';
  if (to.kind === 'LocalActivityDone') return 'workflow task: local activities';
  if (to.kind === 'WorkflowTaskCompleted') return 'workflow task: other worker + completion RPC';
  if (from.kind === 'ActivityTaskScheduled' && to.kind === 'ActivityTaskStarted')
    return 'activity queue wait (scheduled → started)';
  if (from.kind === 'ActivityTaskStarted') return 'activity execution (provider call)';
  if (
    from.kind === 'StartChildWorkflowExecutionInitiated' ||
    to.kind === 'ChildWorkflowExecutionCompleted' ||
    to.kind === 'ChildWorkflowExecutionFailed'
  )
    return 'server: child workflow start / result hand-off';
  return 'server: between events';
}

/** The critical path of a request with one child workflow (or none: then the parent is the path). */
function criticalPath(timing: ClientTiming, parent: HistoryEventLike[], child: HistoryEventLike[]): Point[] {
  const parentPoints = points('parent', parent);
  if (child.length === 0)
    return [
      { atMs: timing.clientStartMs, label: CLIENT_START, kind: 'Client' },
      ...parentPoints,
      { atMs: timing.clientEndMs, label: CLIENT_END, kind: 'Client' },
    ];
  const split = parentPoints.findIndex((p) => p.kind === 'StartChildWorkflowExecutionInitiated');
  const resume = parentPoints.findIndex(
    (p) => p.kind === 'ChildWorkflowExecutionCompleted' || p.kind === 'ChildWorkflowExecutionFailed',
  );
  return [
    { atMs: timing.clientStartMs, label: CLIENT_START, kind: 'Client' },
    ...parentPoints.slice(0, split + 1),
    ...points('child', child),
    ...parentPoints.slice(resume),
    { atMs: timing.clientEndMs, label: CLIENT_END, kind: 'Client' },
  ];
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/**
 * Reads the histories of the given requests and breaks their latency down. Requests of the most
 * common shape (for the orchestrator: one model call, no retries) are analysed; the others are
 * counted as left out.
 */
export async function historyBreakdown(client: Client, timings: readonly ClientTiming[]): Promise<Breakdown> {
  const paths = await mapLimited(timings, 8, async (timing) => {
    try {
      const parent = (await client.workflow.getHandle(timing.workflowId).fetchHistory()).events ?? [];
      const children: string[] = [];
      for (const event of parent) {
        const id = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
        if (id) children.push(id);
      }
      if (children.length > 1) return undefined;
      const child = children[0]
        ? ((await client.workflow.getHandle(children[0]).fetchHistory()).events ?? [])
        : [];
      const events = [...parent, ...child];
      return {
        points: criticalPath(
          timing,
          parent as unknown as HistoryEventLike[],
          child as unknown as HistoryEventLike[],
        ),
        events: events.length,
        upserts: events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).length,
      };
    } catch {
      return undefined;
    }
  });

  // The most common sequence of labels is the shape every analysed request must have.
  type Read = NonNullable<(typeof paths)[number]>;
  const shapes = new Map<string, Read[]>();
  for (const read of paths) {
    if (!read) continue;
    const key = read.points.map((p) => p.label).join(' | ');
    shapes.set(key, [...(shapes.get(key) ?? []), read]);
  }
  const [shape, reads] = [...shapes.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? ['', []];
  const matching = reads.map((read) => read.points);
  const mean = (values: number[]) =>
    values.length ? round(values.reduce((a, b) => a + b, 0) / values.length, 2) : 0;
  const template = matching[0] ?? [];
  const totals = matching.map((path) => (path.at(-1)?.atMs ?? 0) - (path[0]?.atMs ?? 0));
  const endToEnd = latencyStats(totals);
  const segments: Segment[] = template.slice(1).map((to, i) => {
    const from = template[i] as Point;
    const durations = matching.map((path) => (path[i + 1]?.atMs ?? 0) - (path[i]?.atMs ?? 0));
    const stats = latencyStats(durations, 2);
    return {
      name: `${from.label} → ${to.label}`,
      category: categorise(from, to),
      stats,
      share: endToEnd.meanMs ? round(stats.meanMs / endToEnd.meanMs, 3) : 0,
    };
  });
  const byCategory = new Map<Category, number>();
  for (const segment of segments)
    byCategory.set(segment.category, (byCategory.get(segment.category) ?? 0) + segment.stats.meanMs);
  return {
    analysed: matching.length,
    leftOut: timings.length - matching.length,
    shape,
    perRequest: {
      historyEvents: mean(reads.map((read) => read.events)),
      searchAttributeUpserts: mean(reads.map((read) => read.upserts)),
    },
    endToEnd,
    segments,
    categories: [...byCategory.entries()]
      .map(([category, meanMs]) => ({
        category,
        meanMs: round(meanMs, 2),
        share: endToEnd.meanMs ? round(meanMs / endToEnd.meanMs, 3) : 0,
      }))
      .sort((a, b) => b.meanMs - a.meanMs),
  };
}

/** The breakdown as console tables. */
export function printBreakdown(breakdown: Breakdown): void {
  console.log(
    `\nWhere the time goes (${breakdown.analysed} requests of the common shape; ${breakdown.leftOut} of other shapes left out): end to end mean ${breakdown.endToEnd.meanMs} ms, p50 ${breakdown.endToEnd.p50Ms} ms, p99 ${breakdown.endToEnd.p99Ms} ms; per request ${breakdown.perRequest.historyEvents} history events, ${breakdown.perRequest.searchAttributeUpserts} search-attribute upserts`,
  );
  console.table(
    breakdown.segments.map((s) => ({
      segment: s.name,
      'mean ms': s.stats.meanMs,
      'p50 ms': s.stats.p50Ms,
      'p95 ms': s.stats.p95Ms,
      'p99 ms': s.stats.p99Ms,
      share: `${round(s.share * 100)}%`,
    })),
  );
  console.table(
    breakdown.categories.map((c) => ({
      category: c.category,
      'mean ms': c.meanMs,
      share: `${round(c.share * 100)}%`,
    })),
  );
}
