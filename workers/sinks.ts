// The worker side of the workflows' sinks: each finished request feeds the Prometheus metrics.
import type { InjectedSinks } from '@temporalio/worker';
import type { OrchestratorSinks } from '../workflows/sinks.js';
import type { OrchestratorMetrics } from './metrics.js';
import { type PriceOf, recordRequestOutcome } from './metricsOutcome.js';

/** `priceOf` gives each model's prices, so spend is also counted by kind of token. */
export function metricsSinks(
  metrics: OrchestratorMetrics,
  priceOf?: PriceOf,
): InjectedSinks<OrchestratorSinks> {
  return {
    metrics: {
      requestFinished: {
        fn: (_info, outcome) => recordRequestOutcome(metrics, outcome, priceOf),
        // false (the SDK's default, spelled out because everything rests on it): a history replayed
        // after a restart, an eviction or a query does not count its requests a second time. The SDK
        // does call it again when a workflow task fails and is retried; the report is the workflow's
        // last step, so that only happens if completing that task fails.
        callDuringReplay: false,
      },
    },
  };
}
