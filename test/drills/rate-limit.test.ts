// Failure drill: a rate-limit storm. For a few seconds every model answers 429 with `retry-after: 1`
// while requests keep arriving. Rate limiting says "wait", not "broken": no request may fail, and
// each is charged for exactly one answered call. The worker runs with the production retry policy
// and circuit-breaker settings.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { defaultSettings } from '../../activities/deps.js';
import { type RequestRecord, summarise, timedRequest } from '../../bench/loadgen.js';
import { type Harness, requestId, startHarness } from '../support/harness.js';

const STORM_MS = 3000;
const REQUESTS = 30;
const ARRIVAL_EVERY_MS = 100;

let h: Harness;
before(async () => {
  h = await startHarness({ worker: { settings: { retry: defaultSettings.retry } } });
});
after(async () => {
  await h?.stop();
});

it('a 429 storm on every model: no request fails, each is charged once', async () => {
  h.emulator.addFault({ model: '*', status: 429, times: 1_000_000, retryAfterSeconds: 1 });
  const stormStarted = Date.now();
  // The storm lasts STORM_MS from the first rate-limited call, however slowly the machine gets there.
  let allSettled = false;
  const stormEnds = (async (): Promise<void> => {
    while (!allSettled && !h.emulator.calls().some((c) => c.status === 429))
      await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, STORM_MS));
    h.emulator.clearFaults();
  })();
  const settled: Promise<RequestRecord>[] = Array.from(
    { length: REQUESTS },
    (_, i) =>
      new Promise<RequestRecord>((resolve) => {
        setTimeout(() => {
          const request = {
            requestId: requestId(`storm-${i}`),
            taskType: 'general_qa',
            templateId: 'general_qa',
            variables: { question: `Storm question ${i}: how long should I wait?` },
            model: 'gpt-4o-mini',
          };
          resolve(timedRequest(h.client, request, i));
        }, i * ARRIVAL_EVERY_MS);
      }),
  );
  const records = await Promise.all(settled);
  allSettled = true;
  await stormEnds;
  h.emulator.clearFaults();

  const summary = summarise(records, Date.now() - stormStarted);
  const calls = h.emulator.calls();
  const limited = calls.filter((c) => c.status === 429).length;
  const answered = calls.filter((c) => c.status === 200).length;
  const completed = records.filter((r) => r.status === 'success');
  const charged = completed.flatMap((r) => r.result?.attempts.filter((a) => a.outcome === 'success') ?? []);
  console.log(
    `drill rate-limit storm (429 retry-after 1 s on every model for ${STORM_MS} ms): requests sent ${REQUESTS}, completed ${completed.length}, failed ${summary.failedRequests}, duplicates: ${charged.length - completed.length}; ` +
      `emulator answered 429 ${limited} times and 200 ${answered} times; p50 ${summary.latency.p50Ms} ms, p99 ${summary.latency.p99Ms} ms` +
      (summary.failedRequests ? `; errors ${JSON.stringify(summary.errorsByType)}` : ''),
  );
  for (const r of records.filter((x) => x.status === 'error').slice(0, 3))
    console.log(`  failed ${r.requestId}: ${r.errorType}: ${r.error}`);

  assert.ok(limited > 0, 'the storm rate-limited calls');
  assert.deepEqual(
    records.filter((r) => r.status === 'error').map((r) => `${r.requestId}: ${r.errorType}`),
    [],
  );
  assert.equal(charged.length, REQUESTS, 'duplicates: 0');
  assert.equal(answered, REQUESTS, 'one answered call per request');
  for (const record of completed) {
    const result = record.result;
    assert.ok(result);
    const waits = result.attempts.filter((a) => a.outcome === 'failed');
    assert.ok(
      waits.every((a) => a.errorType === 'RateLimitError'),
      `${record.requestId}: only rate-limit tries failed`,
    );
  }
});
