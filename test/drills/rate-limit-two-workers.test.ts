// Two worker processes sharing one Redis hold one per-model rate limit between them: a burst of
// concurrent requests reaches the provider no faster than the configured rate, every request still
// completes on that model, and the waits are in the histories.
//
// The limit's semantics (core/limits/types.ts): a token bucket per model holding
// C = max(1, requestsPerMinute × burstFraction) requests, full at the start and refilled continuously
// at requestsPerMinute / 60 s. So over any interval of length W, at most C + W × rate calls are
// granted. The grants happen on Redis's clock; the emulator stamps a call when it arrives, a little
// later and not always equally later, so the check allows that difference (ARRIVAL_JITTER_MS) on W.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { temporal } from '@temporalio/proto';
import { type RequestRecord, timedRequest } from '../../bench/loadgen.js';
import { startWorkerProcess, type WorkerProcess } from '../../bench/workerProcess.js';
import type { LlmRequest } from '../../common/request.js';
import { type RunningRedis, startRedis } from '../../scripts/redis.js';
import { type Harness, requestId, startHarness } from '../support/harness.js';

const MODEL = 'gpt-4o-mini';
const REQUESTS_PER_MINUTE = 240;
const BURST_FRACTION = 0.0125;
const CAPACITY = Math.max(1, REQUESTS_PER_MINUTE * BURST_FRACTION);
const RATE_PER_MS = REQUESTS_PER_MINUTE / 60_000;
const REQUESTS = 40;
/** How much later one call may reach the emulator after its grant than another (Redis → SDK → HTTP). */
const ARRIVAL_JITTER_MS = 250;

let h: Harness;
let redis: RunningRedis;
let configDir: string;
const workers: WorkerProcess[] = [];
before(async () => {
  configDir = mkdtempSync(join(tmpdir(), 'limits-'));
  writeFileSync(
    join(configDir, 'limits.yaml'),
    `models:\n  ${MODEL}: { requestsPerMinute: ${REQUESTS_PER_MINUTE}, burstFraction: ${BURST_FRACTION} }\n`,
  );
  [redis, h] = await Promise.all([startRedis(), startHarness({ worker: false })]);
});
after(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await Promise.allSettled(workers.map((w) => w.exited));
  await h?.stop();
  await redis?.stop();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

function startWorker(): Promise<WorkerProcess> {
  return startWorkerProcess({
    address: h.env.address,
    taskQueue: h.taskQueue,
    emulatorUrl: h.emulator.url,
    env: { REDIS_URL: redis.url, RATE_LIMITS_FILE: join(configDir, 'limits.yaml') },
  });
}

/** The most calls in any window of `windowMs` (a window starts at a call). */
function busiestWindow(times: number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (j < times.length && (times[j] ?? 0) < (times[i] ?? 0) + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

/**
 * How much arrival jitter the busiest window needs to be within the bucket: the most, over every
 * window [t_i, t_j] of the sorted arrival times, of (calls − C) / rate − (t_j − t_i). Zero or less
 * means even the arrival times obey the bucket.
 */
function jitterNeededMs(times: number[]): number {
  let most = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < times.length; i++) {
    for (let j = i; j < times.length; j++) {
      const span = (times[j] ?? 0) - (times[i] ?? 0);
      most = Math.max(most, (j - i + 1 - CAPACITY) / RATE_PER_MS - span);
    }
  }
  return most;
}

/** How many requests each model answered. */
function modelsUsed(records: RequestRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) {
    const model = r.result?.model ?? 'none';
    counts[model] = (counts[model] ?? 0) + 1;
  }
  return counts;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

async function events(workflowId: string): Promise<HistoryEvent[]> {
  return (await h.env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

/** What the history of one request's model call says about its provider calls and waits. */
interface ProviderActivity {
  /** Provider activities our rate limit refused (LocalRateLimitError). */
  refusals: number;
  /** Durable timers the model call waited on, in ms. */
  waitsMs: number[];
  /** The attempt of the provider activity that answered (1: the waits used no retry attempt). */
  attempt: number;
  /** Worker identity of that activity. */
  identity: string;
}

async function providerActivity(requestId: string): Promise<ProviderActivity> {
  // The first model's calls are in the request's own history (the fast path).
  const history = await events(requestId);
  const refusals = history.filter(
    (e) =>
      e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type === 'LocalRateLimitError',
  ).length;
  const waitsMs = history
    .map((e) => e.timerStartedEventAttributes?.startToFireTimeout)
    .filter((d) => d !== undefined && d !== null)
    .map((d) => Number(d.seconds ?? 0) * 1000 + (d.nanos ?? 0) / 1e6);
  const completed = history.find(
    (e) => e.activityTaskCompletedEventAttributes,
  )?.activityTaskCompletedEventAttributes;
  const started = history.find(
    (e) => Number(e.eventId) === Number(completed?.startedEventId),
  )?.activityTaskStartedEventAttributes;
  assert.ok(started, `${requestId}: invokeProvider answered`);
  return { refusals, waitsMs, attempt: started.attempt ?? 1, identity: started.identity ?? '' };
}

it('two worker processes sharing one Redis never call a model faster than its configured rate', async () => {
  workers.push(...(await Promise.all([startWorker(), startWorker()])));
  h.emulator.clearCalls();
  const requests: LlmRequest[] = Array.from({ length: REQUESTS }, (_, i) => ({
    requestId: requestId(`rate-${i}`),
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question: `Question ${i}: how fast may we call a model?` },
    model: MODEL,
    cache: 'off',
  }));
  const started = Date.now();
  const records: RequestRecord[] = await Promise.all(requests.map((r, i) => timedRequest(h.client, r, i)));
  const wallMs = Date.now() - started;

  const calls = h.emulator.calls();
  const times = calls
    .filter((c) => c.model === MODEL)
    .map((c) => c.receivedAtMs)
    .sort((a, b) => a - b);
  const completed = records.filter((r) => r.status === 'success');
  const activities = await Promise.all(completed.map((r) => providerActivity(r.requestId)));
  const waited = activities.filter((a) => a.refusals > 0);
  const identities = new Set(activities.map((a) => a.identity));
  const jitter = Math.round(jitterNeededMs(times));
  const failedTypes = records.filter((r) => r.status === 'error').map((r) => r.errorType);
  console.log(
    `rate limit across 2 workers: requests sent ${REQUESTS}, completed ${completed.length}, failed ${failedTypes.length} (${[...new Set(failedTypes)].join(', ') || 'none'}); ` +
      `limit ${REQUESTS_PER_MINUTE}/min burst ${CAPACITY}; emulator calls ${calls.length}, busiest 1 s ${busiestWindow(times, 1000)}, arrival jitter needed ${jitter} ms, ` +
      `span ${(times.at(-1) ?? 0) - (times[0] ?? 0)} ms; waited on timers ${waited.length} (refusals max ${Math.max(...activities.map((a) => a.refusals))}), answering attempt max ${Math.max(...activities.map((a) => a.attempt))}; ` +
      `workers serving calls ${identities.size}; wall ${wallMs} ms; answered by ${JSON.stringify(modelsUsed(records))}`,
  );

  assert.deepEqual(
    records.filter((r) => r.status === 'error').map((r) => `${r.requestId}: ${r.errorType}: ${r.error}`),
    [],
    'every request completes',
  );
  for (const record of completed)
    assert.equal(record.result?.model, MODEL, `${record.requestId}: no fallback`);
  assert.equal(times.length, REQUESTS, `one provider call per request, all to ${MODEL}`);
  assert.ok(
    jitter <= ARRIVAL_JITTER_MS,
    `some window holds more calls than the bucket grants, even allowing ${ARRIVAL_JITTER_MS} ms of jitter: ${jitter} ms`,
  );
  // Without the limit all 40 calls would go within about a second; with it most must wait in
  // Temporal (the first tries are spread by the start of 40 workflows, so a few more than the
  // burst find a token).
  assert.ok(waited.length >= REQUESTS / 2, `only ${waited.length} requests waited for the limit`);
  for (const activity of waited) {
    assert.equal(activity.waitsMs.length, activity.refusals, 'each refusal is followed by a durable timer');
    assert.ok(
      activity.waitsMs.every((ms) => ms > 0),
      'the timer waits what the limiter said',
    );
  }
  assert.deepEqual(
    [...new Set(activities.map((a) => a.attempt))],
    [1],
    'waiting for the limit used none of the provider call retry attempts',
  );
  assert.equal(identities.size, 2, 'both worker processes made provider calls');
});
