// Failure drill: kill -9 the worker process while provider calls are in flight, start another, and
// check that every request completes and is charged exactly once.
//
// "Charged" means: a provider call whose usage is recorded in the request's result. Each result
// must list exactly one successful call, with the result's usage equal to that call's, and the
// tokens of all results must add up to the tokens of the emulator's 200 answers. The calls that
// were in flight when the worker died were cut off (the emulator logs them as aborted): a real
// provider may still bill such a call, and the drill prints how many there were.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { type RequestRecord, timedRequest } from '../../bench/loadgen.js';
import { startWorkerProcess, type WorkerProcess } from '../../bench/workerProcess.js';
import type { LlmRequest } from '../../common/request.js';
import { type Harness, requestId, startHarness } from '../support/harness.js';
import { until } from '../support/wait.js';

const REQUESTS = 16;
/** Long enough that every call is still held when the last one arrives, even on a slow machine. */
const HOLD_MS = 60_000;

let h: Harness;
const workers: WorkerProcess[] = [];
before(async () => {
  h = await startHarness({ worker: false });
});
after(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await h?.stop();
});

function startWorker(): Promise<WorkerProcess> {
  return startWorkerProcess({ address: h.env.address, taskQueue: h.taskQueue, emulatorUrl: h.emulator.url });
}

it('kill -9 of the worker mid-call: every request completes on the next worker, each charged once', async () => {
  const first = await startWorker();
  workers.push(first);
  h.emulator.setLatency({ holdMs: HOLD_MS });
  const requests: LlmRequest[] = Array.from({ length: REQUESTS }, (_, i) => ({
    requestId: requestId(`kill-${i}`),
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question: `Question ${i}: what survives a worker crash?` },
    model: 'gpt-4o-mini',
  }));
  const settled: Promise<RequestRecord>[] = requests.map((r, i) => timedRequest(h.client, r, i));

  const pending = (): number => h.emulator.calls().filter((c) => c.status === 'pending').length;
  await until(() => pending() === REQUESTS, 45_000, `${REQUESTS} provider calls in flight`);
  first.kill('SIGKILL');
  assert.equal(await first.exited, 'SIGKILL');
  await until(() => pending() === 0, 5000, 'the emulator to notice the dropped connections');
  const cutOff = h.emulator.calls().filter((c) => c.status === 'aborted').length;
  // The retries need not wait as long; the drill is about the crash, not the hold.
  h.emulator.setLatency({ holdMs: 200 });
  const killedAt = Date.now();
  workers.push(await startWorker());

  const records = await Promise.all(settled);
  const recoveredMs = Date.now() - killedAt;
  const completed = records.filter((r) => r.status === 'success');
  const calls = h.emulator.calls();
  const answered = calls.filter((c) => c.status === 200);
  const charged = completed.flatMap((r) => r.result?.attempts.filter((a) => a.outcome === 'success') ?? []);
  const duplicates = charged.length - completed.length;
  console.log(
    `drill worker-kill: requests sent ${REQUESTS}, completed ${completed.length}, failed ${records.length - completed.length}, duplicates: ${duplicates}; ` +
      `emulator calls ${calls.length} (200: ${answered.length}, aborted by the kill: ${cutOff}, other: ${calls.length - answered.length - cutOff}); ` +
      `all done ${recoveredMs} ms after the kill`,
  );

  assert.deepEqual(
    records.filter((r) => r.status === 'error').map((r) => `${r.requestId}: ${r.errorType}: ${r.error}`),
    [],
  );
  assert.equal(cutOff, REQUESTS, 'every call in flight was cut off by the kill');
  for (const record of completed) {
    const result = record.result;
    assert.ok(result);
    const successes = result.attempts.filter((a) => a.outcome === 'success');
    assert.equal(successes.length, 1, `${record.requestId}: exactly one successful call in attempts`);
    assert.deepEqual(result.usage, successes[0]?.usage, `${record.requestId}: usage is that call's usage`);
    // The call cut off by the kill is attempt 1 of the activity; the one that answered is attempt 2.
    assert.equal(successes[0]?.try, 2, `${record.requestId}: answered on the retry after the crash`);
  }
  assert.equal(duplicates, 0);
  assert.equal(answered.length, REQUESTS, 'one answered provider call per request');
  const tokens = (n: number | undefined): number => n ?? 0;
  assert.equal(
    completed.reduce((sum, r) => sum + (r.result?.usage.totalTokens ?? 0), 0),
    answered.reduce((sum, c) => sum + tokens(c.inputTokens) + tokens(c.outputTokens), 0),
    "the results' tokens are the emulator's answered tokens",
  );
});
