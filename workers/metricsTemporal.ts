// Temporal SDK worker metrics (task slots, poll and schedule-to-start latencies, sticky cache, …):
// the SDK's Rust core serves them itself in Prometheus format once the Runtime is installed with a
// bind address. Enabled by TEMPORAL_METRICS_BIND, e.g. `0.0.0.0:9464`; off when it is unset.
import type { TelemetryOptions } from '@temporalio/worker';

/** The port the deploy files give the SDK's exporter (TEMPORAL_METRICS_BIND=0.0.0.0:9464). */
export const DEFAULT_TEMPORAL_METRICS_PORT = 9464;

/**
 * Telemetry options for `Runtime.install({ telemetryOptions })`, which must run before the first
 * connection or worker is created; undefined when TEMPORAL_METRICS_BIND is not set.
 */
export function temporalRuntimeTelemetry(env: NodeJS.ProcessEnv = process.env): TelemetryOptions | undefined {
  const bindAddress = env.TEMPORAL_METRICS_BIND?.trim();
  if (!bindAddress) return undefined;
  if (!/^[^\s:]+:\d{1,5}$/.test(bindAddress))
    throw new Error(`TEMPORAL_METRICS_BIND must be host:port (e.g. 0.0.0.0:9464), got "${bindAddress}"`);
  return {
    // Names keep the SDK's `temporal_` prefix; durations in seconds, like our own histograms.
    metrics: { prometheus: { bindAddress, useSecondsForDurations: true } },
  };
}

/**
 * Sample names the SDK's exporter (1.24) serves once a worker has run one request, as measured by
 * test/metrics-temporal.test.ts; the deploy check accepts these in dashboards. Failure counters
 * (e.g. temporal_activity_execution_failed) appear only after a failure, so they are not listed.
 */
export const TEMPORAL_SDK_METRIC_NAMES: readonly string[] = [
  ...histogram('temporal_activity_execution_latency'),
  ...histogram('temporal_activity_schedule_to_start_latency'),
  ...histogram('temporal_activity_succeed_endtoend_latency'),
  'temporal_activity_task_received',
  ...histogram('temporal_local_activity_execution_latency'),
  ...histogram('temporal_local_activity_succeed_endtoend_latency'),
  'temporal_local_activity_total',
  'temporal_long_request',
  ...histogram('temporal_long_request_latency'),
  'temporal_num_pollers',
  'temporal_request',
  ...histogram('temporal_request_latency'),
  'temporal_sticky_cache_hit',
  'temporal_sticky_cache_size',
  'temporal_worker_start',
  'temporal_worker_task_slots_available',
  'temporal_worker_task_slots_used',
  'temporal_workflow_completed',
  ...histogram('temporal_workflow_endtoend_latency'),
  ...histogram('temporal_workflow_task_execution_latency'),
  'temporal_workflow_task_queue_poll_succeed',
  ...histogram('temporal_workflow_task_replay_latency'),
  ...histogram('temporal_workflow_task_schedule_to_start_latency'),
];

function histogram(name: string): string[] {
  return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
}
