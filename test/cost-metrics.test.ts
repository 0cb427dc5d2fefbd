// The cost metrics by kind of token: each call's spend split as the catalog prices it (cache reads,
// writes by TTL, reasoning, ...), the new token types, and a semantic hit's embedding spend.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Attempt, TokenUsage } from '../common/request.js';
import { loadModelCatalog } from '../config/load.js';
import { OrchestratorMetrics } from '../workers/metrics.js';
import { recordRequestOutcome } from '../workers/metricsOutcome.js';
import type { RequestOutcome } from '../workflows/sinks.js';

const catalog = loadModelCatalog();
const priceOf = (model: string) => catalog.models[model]?.pricing;

interface Readable {
  get(): Promise<{ values: { labels: Record<string, string | number>; value: number }[] }>;
}

/** One labelled value of a family, in 1e-8 dollar units (or tokens), rounded to drop float noise. */
async function read(metric: Readable, labels: Record<string, string>): Promise<number> {
  const { values } = await metric.get();
  const found = values.filter((v) =>
    Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
  );
  return Math.round(found.reduce((sum, v) => sum + v.value, 0) * 1e8) / 1e8;
}

function outcome(attempts: Attempt[], extra: Partial<RequestOutcome> = {}): RequestOutcome {
  return {
    requestId: 'r1',
    taskType: 'general_qa',
    templateId: 'chat',
    caller: 'billing',
    status: 'success',
    model: 'claude-sonnet-4-6',
    durationMs: 100,
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    costUsd: attempts.reduce((sum, a) => sum + (a.costUsd ?? 0), 0),
    cached: false,
    attempts,
    ...extra,
  };
}

describe('cost metrics by kind', () => {
  it('split a Claude call’s spend into input, cache reads, 5-minute and 1-hour writes and output', async () => {
    const metrics = new OrchestratorMetrics({ defaultMetrics: false });
    const usage: TokenUsage = {
      inputTokens: 3100,
      outputTokens: 50,
      totalTokens: 3150,
      cachedInputTokens: 2000,
      cacheWriteTokens: 1000,
      cacheWrite1hTokens: 400,
    };
    const call: Attempt = {
      model: 'claude-sonnet-4-6',
      provider: 'anthropic',
      outcome: 'success',
      durationMs: 5,
      usage,
      costUsd: 0.0063,
      try: 1,
    };
    recordRequestOutcome(metrics, outcome([call]), priceOf);
    const kind = (k: string) => read(metrics.costByKind, { model: 'claude-sonnet-4-6', kind: k });
    // $3 input, $0.30 reads, $3.75 5-minute writes, $6 1-hour writes, $15 output, per million.
    assert.deepEqual(
      [
        await kind('input'),
        await kind('cachedInput'),
        await kind('cacheWrite5m'),
        await kind('cacheWrite1h'),
      ],
      [0.0003, 0.0006, 0.00225, 0.0024],
    );
    assert.equal(await kind('output'), 0.00075);
    assert.equal(await read(metrics.cost, { model: 'claude-sonnet-4-6' }), 0.0063);
    const tokens = (t: string) => read(metrics.tokens, { model: 'claude-sonnet-4-6', token_type: t });
    assert.deepEqual(
      [await tokens('cached_input'), await tokens('cache_write'), await tokens('cache_write_1h')],
      [2000, 1000, 400],
    );
  });

  it('count a semantic hit’s embedding as spend of kind embedding, for its caller too', async () => {
    const metrics = new OrchestratorMetrics({ defaultMetrics: false });
    recordRequestOutcome(
      metrics,
      outcome([], {
        cached: true,
        model: 'gpt-4o-mini',
        usage: { inputTokens: 12, outputTokens: 0, totalTokens: 12 },
        costUsd: 0.00000024,
      }),
      priceOf,
    );
    assert.equal(await read(metrics.costByKind, { kind: 'embedding' }), 0.00000024);
    assert.equal(await read(metrics.costByCaller, { caller: 'billing' }), 0.00000024);
    assert.equal(await read(metrics.cacheHits, {}), 1);
  });
});
