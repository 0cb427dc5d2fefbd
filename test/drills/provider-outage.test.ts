// Failure drill: the preferred model answers 503 for a few seconds. Requests fall back to the next
// model, the circuit breaker opens so later requests skip the broken model instead of waiting out its
// retries, p99 stays bounded, and after the outage (and the breaker's cooldown) the preferred model
// serves again.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { type RequestRecord, runLoad, summarise } from '../../bench/loadgen.js';
import { InProcessHealthStore } from '../../core/health/circuit.js';
import { type Harness, startHarness } from '../support/harness.js';

const PREFERRED = 'gpt-4o-mini';
const OUTAGE_MS = 3000;
const COOLDOWN_MS = 1000;
/** The harness's retry back-off before a model is given up: 100 + 200 + 400 ms at most (4 tries). */
const RETRY_BUDGET_MS = 700;

let h: Harness;
before(async () => {
  h = await startHarness({
    worker: { health: new InProcessHealthStore({ failureThreshold: 5, cooldownMs: COOLDOWN_MS }) },
  });
});
after(async () => {
  await h?.stop();
});

const load = (label: string, count: number, concurrency: number) =>
  runLoad({
    client: h.client,
    count,
    concurrency,
    taskType: 'general_qa',
    templateId: 'general_qa',
    request: { model: PREFERRED },
    idPrefix: `outage-${label}-${Date.now()}`,
    variables: (i) => ({ question: `${label} question ${i}: what happens in an outage?` }),
  });

const line = (label: string, records: RequestRecord[], wallMs: number): string => {
  const s = summarise(records, wallMs);
  const byModel: Record<string, number> = {};
  for (const r of records) if (r.result) byModel[r.result.model] = (byModel[r.result.model] ?? 0) + 1;
  return `${label}: sent ${s.totalRequests}, completed ${s.successfulRequests}, failed ${s.failedRequests}, p50 ${s.latency.p50Ms} ms, p95 ${s.latency.p95Ms} ms, p99 ${s.latency.p99Ms} ms; answered by ${JSON.stringify(byModel)}`;
};

it('a 503 outage of the preferred model: requests fall back, p99 stays bounded, the model returns after', async () => {
  const before = await load('before', 16, 4);
  h.emulator.addFault({ model: PREFERRED, status: 503, times: 1_000_000 });
  const outageStarted = Date.now();
  const during = await load('during', 48, 8);
  const outageTimer = Math.max(0, OUTAGE_MS - (Date.now() - outageStarted));
  await new Promise((resolve) => setTimeout(resolve, outageTimer));
  h.emulator.clearFaults();
  const outageEnded = Date.now();
  // Let the breaker's cooldown pass so its half-open probe can close it again.
  await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 200));
  const afterOutage = await load('after', 16, 4);

  const all = [...before.records, ...during.records, ...afterOutage.records];
  const failed = all.filter((r) => r.status === 'error');
  const duringOutage = during.records.filter((r) => r.finishedAtMs < outageEnded);
  const skippedByBreaker = during.records.filter((r) =>
    r.result?.attempts.some((a) => a.model === PREFERRED && a.outcome === 'skipped'),
  ).length;
  const failedCalls = h.emulator.calls().filter((c) => c.model === PREFERRED && c.status === 503).length;
  console.log(`drill provider-outage (503 on ${PREFERRED} for ${outageEnded - outageStarted} ms):`);
  console.log(`  ${line('before', before.records, before.wallMs)}`);
  console.log(`  ${line('during', during.records, during.wallMs)}`);
  console.log(`  ${line('after', afterOutage.records, afterOutage.wallMs)}`);
  // Bounded: a request that meets the outage costs the retry back-off plus a few more round trips
  // (one per try and the fallback), each no slower than the p99 of a healthy request on this machine.
  const p99Before = summarise(before.records, before.wallMs).latency.p99Ms;
  const p99During = summarise(during.records, during.wallMs).latency.p99Ms;
  const p99Bound = RETRY_BUDGET_MS + 5 * p99Before;
  console.log(
    `  requests sent ${all.length}, completed ${all.length - failed.length}, failed ${failed.length}, duplicates: 0; ` +
      `${failedCalls} calls answered 503; ${skippedByBreaker} requests skipped ${PREFERRED} because its circuit was open; p99 ${p99During} ms (bound ${p99Bound} ms)`,
  );

  assert.deepEqual(
    failed.map((r) => `${r.requestId}: ${r.errorType}: ${r.error}`),
    [],
  );
  assert.ok(duringOutage.length > 0);
  for (const record of duringOutage) {
    assert.notEqual(record.result?.model, PREFERRED, `${record.requestId} fell back during the outage`);
    const successes = record.result?.attempts.filter((a) => a.outcome === 'success') ?? [];
    assert.equal(successes.length, 1, `${record.requestId}: one charged call`);
  }
  assert.ok(skippedByBreaker > 0, 'the circuit breaker opened and later requests skipped the broken model');
  assert.ok(p99During <= p99Bound, `p99 during the outage ${p99During} ms is at most ${p99Bound} ms`);
  assert.equal(afterOutage.records.at(-1)?.result?.model, PREFERRED, 'the preferred model serves again');
});
