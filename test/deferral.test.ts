// Non-urgent work: deferred requests wait on a durable timer (an hour of it, on the time-skipping test
// server), and batches run requests as children.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { processBatch } from '../client/batch.js';
import type { LlmRequest } from '../common/request.js';
import { earliestStart } from '../common/schedule.js';
import { type Harness, requestId, startHarness } from './support/harness.js';
import { names, steps } from './support/history.js';

const HOUR = 3_600_000;

describe('earliestStart', () => {
  const midnight = Date.parse('2026-11-25T00:00:00Z');
  it('is now when nothing defers the request', () => {
    assert.equal(earliestStart(midnight + 5), midnight + 5);
  });
  it('honours notBefore', () => {
    assert.equal(earliestStart(midnight, midnight + 10_000), midnight + 10_000);
  });
  it('moves into an off-peak window spanning midnight', () => {
    const window = { startHourUtc: 22, endHourUtc: 6 };
    assert.equal(
      earliestStart(midnight + 3 * HOUR, undefined, window),
      midnight + 3 * HOUR,
      'inside already',
    );
    assert.equal(earliestStart(midnight + 12 * HOUR, undefined, window), midnight + 22 * HOUR, 'later today');
    assert.equal(earliestStart(midnight + 23 * HOUR, undefined, window), midnight + 23 * HOUR);
  });
  it('moves to tomorrow’s window when today’s has passed', () => {
    const window = { startHourUtc: 1, endHourUtc: 3 };
    assert.equal(earliestStart(midnight + 4 * HOUR, undefined, window), midnight + 25 * HOUR);
  });
});

describe('deferral and batches on the real stack', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.stop();
  });

  const qa = (label: string, extra: Partial<LlmRequest> = {}): LlmRequest => ({
    requestId: requestId(label),
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question: `Deferred ${label}` },
    model: 'gpt-4o-mini',
    ...extra,
  });

  it('a batch runs each request as its own child and reports failures without failing', async () => {
    const requests = [qa('batch-1'), qa('batch-2'), qa('batch-3', { templateId: 'no_such_template' })];
    const batch = await processBatch(h.client, requestId('batch'), requests, { concurrency: 2 });
    assert.equal(batch.succeeded, 2);
    assert.equal(batch.failed, 1);
    assert.deepEqual(
      batch.items.map((i) => [i.requestId, i.ok]),
      requests.map((r) => [r.requestId, r.requestId !== requests[2]?.requestId]),
    );
    const failed = batch.items[2];
    assert.ok(failed && !failed.ok && failed.error.type === 'TemplateNotFoundError');
    assert.ok(batch.totalCostUsd > 0);
    // Each request is still its own workflow, idempotent by its id.
    const again = await h.client.result(requests[0]?.requestId ?? '');
    assert.equal(again.requestId, requests[0]?.requestId);
  });
});

describe('deferral on the time-skipping server', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ timeSkipping: true });
  });
  after(async () => {
    await h?.stop();
  });

  it('a request with notBefore an hour ahead waits on a timer and calls no provider before it fires', async () => {
    const request: LlmRequest = {
      requestId: requestId('not-before'),
      taskType: 'general_qa',
      templateId: 'general_qa',
      variables: { question: 'Deferred by an hour' },
      model: 'gpt-4o-mini',
      notBefore: new Date(Date.now() + HOUR).toISOString(),
    };
    await h.client.start(request);
    // The server's clock stands still until the result is awaited: the request stays deferred.
    const deadline = Date.now() + 10_000;
    while ((await h.client.status(request.requestId)).stage !== 'deferred') {
      if (Date.now() > deadline) throw new Error('the request never reached the deferred stage');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.deepEqual(h.emulator.calls(), [], 'no provider call while deferred');

    const result = await h.client.result(request.requestId);
    assert.equal(result.model, 'gpt-4o-mini');
    assert.equal(h.emulator.calls().length, 1);
    // In the history: an hour's timer, and the model called only after it fired.
    const events = (await h.env.client.workflow.getHandle(request.requestId).fetchHistory()).events ?? [];
    const kind = (e: (typeof events)[number]): string =>
      Object.keys(e).find((k) => k.endsWith('EventAttributes') && e[k as keyof typeof e]) ?? '';
    const kinds = events.map(kind);
    const timer = events.find((e) => e.timerStartedEventAttributes)?.timerStartedEventAttributes;
    const seconds = Number(timer?.startToFireTimeout?.seconds ?? 0);
    assert.ok(seconds > HOUR / 1000 - 60 && seconds <= HOUR / 1000, `a timer of ${seconds} s`);
    const fired = kinds.indexOf('timerFiredEventAttributes');
    const modelCalled = kinds.findIndex(
      (k) =>
        k === 'startChildWorkflowExecutionInitiatedEventAttributes' ||
        k === 'activityTaskScheduledEventAttributes',
    );
    assert.ok(
      fired > 0 && modelCalled > fired,
      `the model was called after the timer fired: ${kinds.join(' ')}`,
    );
    assert.deepEqual(names(await steps(h.env.client, request.requestId), 'timer'), ['1']);
  });
});
