// The batch counters on the worker's Prometheus registry: llm_batch_items_total{model,stage}
// (queued, submitted, and the completed outcomes) and llm_batch_saved_usd_total{model}.
import { Counter, type Registry } from 'prom-client';
import type { BatchCounters } from '../core/batches/metrics.js';

export function batchMetrics(registry: Registry): BatchCounters {
  const items = new Counter({
    name: 'llm_batch_items_total',
    help: 'Non-urgent requests through provider Batch APIs (stage: queued, submitted, succeeded, errored, expired, canceled, missing)',
    labelNames: ['model', 'stage'],
    registers: [registry],
  });
  const saved = new Counter({
    name: 'llm_batch_saved_usd_total',
    help: 'US dollars the batch price saved against the ordinary price of the same calls',
    labelNames: ['model'],
    registers: [registry],
  });
  return {
    queued: (model) => items.inc({ model, stage: 'queued' }),
    submitted: (model, n) => items.inc({ model, stage: 'submitted' }, n),
    completed: (model, outcome) => items.inc({ model, stage: outcome }),
    saved: (model, usd) => saved.inc({ model }, Math.max(0, usd)),
  };
}
