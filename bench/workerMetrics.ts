// The worker's own view of where time goes, from the Temporal SDK core's Prometheus histograms:
// workflow task execution in the worker, the RPCs that complete tasks, activity execution, local
// activities. Means (sum / count) only: the SDK's buckets are too coarse for percentiles.
import { round } from './report.js';

export interface WorkerTiming {
  metric: string;
  /** The label that tells series apart: workflow_type, activity_type or operation. */
  of: string;
  count: number;
  meanMs: number;
}

const HISTOGRAMS: Record<string, string> = {
  temporal_workflow_task_execution_latency: 'workflow task execution in the worker',
  temporal_workflow_task_schedule_to_start_latency: 'workflow task schedule → start (worker view)',
  temporal_workflow_task_replay_latency: 'workflow task replay',
  temporal_activity_execution_latency: 'activity execution',
  temporal_activity_schedule_to_start_latency: 'activity schedule → start',
  temporal_local_activity_execution_latency: 'local activity execution',
  temporal_request_latency: 'worker → server RPC',
  temporal_workflow_endtoend_latency: 'workflow end to end (worker view)',
};

type Series = Map<string, { metric: string; of: string; sum: number; count: number }>;

/** Parses `name_sum{labels} value` / `name_count{labels} value` lines into sums and counts per series. */
function parse(prometheusText: string): Series {
  const series: Series = new Map();
  for (const line of prometheusText.split('\n')) {
    const match = /^(\w+)_(sum|count)(?:\{([^}]*)\})?\s+([\d.eE+-]+)$/.exec(line);
    if (!match) continue;
    const [, name = '', part, labels = '', value = '0'] = match;
    const metric = HISTOGRAMS[name];
    if (!metric) continue;
    const label = /(?:activity_type|operation|workflow_type)="([^"]*)"/.exec(labels)?.[1] ?? '';
    const key = `${name}|${label}`;
    const entry = series.get(key) ?? { metric, of: label, sum: 0, count: 0 };
    if (part === 'sum') entry.sum += Number(value);
    else entry.count += Number(value);
    series.set(key, entry);
  }
  return series;
}

/** Means per series over the interval between two scrapes (or since start without `before`). */
export function workerTimings(after: string, before = ''): WorkerTiming[] {
  const earlier = parse(before);
  return [...parse(after).entries()]
    .map(([key, s]) => {
      const base = earlier.get(key);
      const count = s.count - (base?.count ?? 0);
      const sum = s.sum - (base?.sum ?? 0);
      return { metric: s.metric, of: s.of, count, meanMs: count > 0 ? round(sum / count, 2) : 0 };
    })
    .filter((t) => t.count > 0);
}

export function printWorkerTimings(timings: WorkerTiming[]): void {
  if (!timings.length) return;
  console.log("\nThe worker's own measurements (Temporal SDK core metrics, means):");
  console.table(timings.map((t) => ({ measure: t.metric, of: t.of, count: t.count, 'mean ms': t.meanMs })));
}
