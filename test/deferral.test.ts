// Non-urgent work: deferred requests wait on a durable timer, and batches run requests as children.
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

  it('a request with notBefore waits on a timer and calls no provider before then', async () => {
    const notBefore = new Date(Date.now() + 1500).toISOString();
    const request = qa('not-before', { notBefore });
    const started = Date.now();
    await h.client.start(request);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await h.client.status(request.requestId)).stage, 'deferred');
    const result = await h.client.result(request.requestId);
    const call = h.emulator.calls().find((c) => c.receivedAtMs >= started && c.model === 'gpt-4o-mini');
    assert.ok(
      call && call.receivedAtMs >= Date.parse(notBefore) - 5,
      'the provider was called after notBefore',
    );
    assert.equal(result.model, 'gpt-4o-mini');
    assert.deepEqual(names(await steps(h.env.client, request.requestId), 'timer'), ['1']);
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
