// Routing, retry policies and fallback chains on a real dev server with the provider emulator:
// what the seed's Model Router and _handle_model_failure promise, as operators see it in history.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { failureType } from '../common/errors.js';
import type { Attempt, LlmRequest } from '../common/request.js';
import { InProcessHealthStore } from '../core/health/circuit.js';
import { testClock } from './support/clock.js';
import { type Harness, requestId, startHarness } from './support/harness.js';
import { names, steps } from './support/history.js';

let h: Harness;
before(async () => {
  h = await startHarness({
    worker: { health: new InProcessHealthStore({ failureThreshold: 2, cooldownMs: 2500 }) },
  });
});
after(async () => {
  await h?.stop();
});

function qa(label: string, extra: Partial<LlmRequest> = {}): LlmRequest {
  return {
    requestId: requestId(label),
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question: `Routing test ${label}` },
    ...extra,
  };
}

const callsSince = (started: number, model?: string) =>
  h.emulator.calls().filter((c) => c.receivedAtMs >= started && (model === undefined || c.model === model));

const outcomes = (attempts: Attempt[]) => attempts.map((a) => [a.model, a.outcome, a.errorType ?? null]);

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => assert.fail('the request should have failed'),
    (error: Error) => error,
  );
}

describe('retries on the same model', () => {
  it('waits the retry-after the provider sent (2 s), twice, then succeeds in the request itself', async () => {
    h.emulator.addFault({ model: 'gpt-4o', status: 429, times: 2, retryAfterSeconds: 2 });
    const started = Date.now();
    const request = qa('retry-after-2', { model: 'gpt-4o' });
    const result = await h.client.process(request);
    const calls = callsSince(started, 'gpt-4o');
    assert.deepEqual(
      calls.map((c) => c.status),
      [429, 429, 200],
    );
    for (let i = 1; i < calls.length; i++) {
      const gap = (calls[i]?.receivedAtMs ?? 0) - (calls[i - 1]?.receivedAtMs ?? 0);
      assert.ok(gap >= 2000, `gap ${gap} ms honours retry-after: 2`);
    }
    // The first model's retries stay in the request's history (the fast path): no child.
    const parent = await steps(h.env.client, request.requestId);
    assert.deepEqual(names(parent, 'child'), []);
    assert.deepEqual(names(parent, 'activity'), ['invokeProvider']);
    assert.deepEqual(outcomes(result.attempts), [
      ['gpt-4o', 'failed', 'RateLimitError'],
      ['gpt-4o', 'failed', 'RateLimitError'],
      ['gpt-4o', 'success', null],
    ]);
  });

  it('stops calling a model that answers 5xx once two failures open its circuit, and answers from the fallback', async () => {
    h.emulator.addFault({ model: 'claude-opus-4-7', status: 500, times: 10 });
    const started = Date.now();
    const result = await h.client.process(
      qa('max-retries', { model: 'claude-opus-4-7', fallbackModels: ['gpt-4o-mini'] }),
    );
    assert.equal(
      callsSince(started, 'claude-opus-4-7').length,
      2,
      'circuit opened after 2 failures, tries stopped',
    );
    assert.equal(result.model, 'gpt-4o-mini');
    const opus = result.attempts.filter((a) => a.model === 'claude-opus-4-7');
    assert.deepEqual(
      opus.map((a) => a.errorType),
      ['ProviderServerError', 'ProviderServerError', 'CircuitOpenError'],
    );
    h.emulator.clearFaults();
  });
});

describe('fallback chains', () => {
  it('does not retry a 401: one call in the request itself, then the next model in a child', async () => {
    h.emulator.addFault({ model: 'gpt-4.1', status: 401, times: 1 });
    const started = Date.now();
    const request = qa('auth', { model: 'gpt-4.1', fallbackModels: ['gpt-4.1-mini'] });
    const result = await h.client.process(request);
    assert.equal(callsSince(started, 'gpt-4.1').length, 1);
    // The first model ran in the request's history; the model fallen back to shows as its child.
    const parent = await steps(h.env.client, request.requestId);
    assert.deepEqual(names(parent, 'activity'), ['invokeProvider']);
    assert.deepEqual(names(parent, 'child'), [`${request.requestId}/2-${result.model}`]);
    assert.notEqual(result.model, 'gpt-4.1');
    assert.equal(result.attempts[0]?.errorType, 'AuthenticationError');
  });

  it('falls back at once on insufficient_quota (no retry)', async () => {
    h.emulator.addFault({ model: 'gpt-5', status: 'quota', times: 1 });
    const started = Date.now();
    const result = await h.client.process(qa('quota', { model: 'gpt-5' }));
    assert.equal(callsSince(started, 'gpt-5').length, 1);
    assert.equal(result.attempts[0]?.errorType, 'QuotaExceededError');
    assert.notEqual(result.model, 'gpt-5');
  });

  it('fails with AllModelsFailedError listing every model and its attempts when all fail', async () => {
    h.emulator.addFault({ model: '*', status: 401, times: 20 });
    const error = await failureOf(h.client.process(qa('all-fail', { model: 'gpt-4o-mini' })));
    h.emulator.clearFaults();
    assert.equal(failureType(error), 'AllModelsFailedError');
    const details = (error as unknown as { details: [{ attempts: Attempt[] }] }).details[0];
    const tried = [...new Set(details.attempts.filter((a) => a.outcome === 'failed').map((a) => a.model))];
    assert.ok(tried.length >= 3, `every planned model was tried: ${tried.join(', ')}`);
    for (const model of tried) assert.match(error.message, new RegExp(`${model}: AuthenticationError`));
  });
});

describe('context windows', () => {
  it('skips a model whose window is too small for the prompt, and a larger one serves it', async () => {
    const windows = await startHarness({
      worker: {
        catalogFile: 'test/fixtures/small-window-models.yaml',
        routingFile: 'test/fixtures/small-window-routing.yaml',
      },
    });
    try {
      const big = 'word '.repeat(2500);
      const started = Date.now();
      const result = await windows.client.process(qa('window', { variables: { question: big } }));
      assert.deepEqual(
        result.attempts.map((a) => [a.model, a.outcome]),
        [
          ['small-window', 'skipped'],
          ['medium-window', 'skipped'],
          ['big-window', 'success'],
        ],
      );
      assert.match(result.routeDecision, /skipped small-window: prompt needs \d+ tokens/);
      assert.equal(
        windows.emulator.calls().filter((c) => c.receivedAtMs >= started && c.model === 'tiny-model').length,
        0,
      );

      // The estimate fits but the provider says the context is too long: only larger windows are tried.
      windows.emulator.addFault({ model: 'tiny-model', status: 'context_length', times: 1 });
      const small = await windows.client.process(qa('window-provider', { variables: { question: 'short' } }));
      assert.deepEqual(
        small.attempts.map((a) => [a.model, a.outcome, a.errorType ?? null]),
        [
          ['small-window', 'failed', 'ContextLengthExceededError'],
          ['medium-window', 'success', null],
        ],
      );
    } finally {
      await windows.stop();
    }
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive failures, skips the model without calling it, and probes after the cooldown', async () => {
    // Its own worker whose circuits run on a test clock: the cooldown passes when the test says so,
    // not when a slow machine happens to take 2.5 s between two requests.
    const clock = testClock();
    const own = await startHarness({
      worker: { health: new InProcessHealthStore({ failureThreshold: 2, cooldownMs: 2500 }, clock.now) },
    });
    try {
      const calls = (model: string) => own.emulator.calls().filter((c) => c.model === model);
      own.emulator.addFault({ model: 'claude-sonnet-4-6', status: 503, times: 2 });
      const first = await own.client.process(
        qa('circuit-1', { model: 'claude-sonnet-4-6', fallbackModels: ['gpt-4o-mini'] }),
      );
      assert.notEqual(first.model, 'claude-sonnet-4-6');
      assert.equal(calls('claude-sonnet-4-6').length, 2, 'two failures opened the circuit');

      clock.advance(2499);
      const second = await own.client.process(
        qa('circuit-2', { model: 'claude-sonnet-4-6', fallbackModels: ['gpt-4o-mini'] }),
      );
      assert.equal(calls('claude-sonnet-4-6').length, 2, 'open circuit: not called');
      assert.match(second.routeDecision, /claude-sonnet-4-6: circuit open after 2 failures/);
      assert.equal(second.attempts[0]?.outcome, 'skipped');

      clock.advance(1);
      const third = await own.client.process(qa('circuit-3', { model: 'claude-sonnet-4-6' }));
      assert.equal(third.model, 'claude-sonnet-4-6', 'half-open probe succeeded and closed the circuit');
    } finally {
      await own.stop();
    }
  });

  it('waits durably for the preferred model’s cooldown when the request asks to', async () => {
    // A model no other test touches, so its circuit starts closed with no failures counted.
    h.emulator.addFault({ model: 'gpt-5-mini', status: 503, times: 2 });
    await h.client.process(qa('cooldown-open', { model: 'gpt-5-mini', fallbackModels: ['gpt-4o-mini'] }));
    const request = qa('cooldown-wait', { model: 'gpt-5-mini', waitForCooldownSeconds: 10 });
    const result = await h.client.process(request);
    assert.equal(result.model, 'gpt-5-mini');
    assert.equal(
      names(await steps(h.env.client, request.requestId), 'timer').length,
      1,
      'a timer, not a held call',
    );
  });
});

describe('deadlines and cancellation', () => {
  it('respects one deadline across retries of the whole chain', async () => {
    h.emulator.addFault({ model: '*', status: 429, times: 50, retryAfterSeconds: 2 });
    const started = Date.now();
    const error = await failureOf(
      h.client.process(qa('deadline', { model: 'gpt-4o-mini', deadlineSeconds: 3 })),
    );
    h.emulator.clearFaults();
    assert.equal(failureType(error), 'AllModelsFailedError');
    // Each retry waits the 2 s retry-after, so inside a 3 s deadline a model gets at most two calls;
    // without the deadline the retry policy (4 tries) would have called it again.
    const perModel = new Map<string, number>();
    for (const call of h.emulator.calls().filter((c) => c.receivedAtMs >= started))
      perModel.set(call.model, (perModel.get(call.model) ?? 0) + 1);
    assert.ok(perModel.size > 0, 'the chain called a model');
    for (const [model, count] of perModel) assert.ok(count <= 2, `${model} called ${count} times`);
  });

  it('cancelling a request aborts the in-flight provider call and ends the workflow cancelled', async () => {
    h.emulator.setLatency({ holdMs: 30_000, model: 'gpt-4.1-mini' });
    try {
      const request = qa('cancel', { model: 'gpt-4.1-mini' });
      const started = Date.now();
      const handle = await h.client.start(request);
      while (!callsSince(started, 'gpt-4.1-mini').some((c) => c.status === 'pending')) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await h.client.cancel(request.requestId);
      const error = await failureOf(handle.result());
      assert.ok(error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure);
      const deadline = Date.now() + 10_000;
      while (callsSince(started, 'gpt-4.1-mini')[0]?.status !== 'aborted' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(
        callsSince(started, 'gpt-4.1-mini')[0]?.status,
        'aborted',
        'the emulator saw the connection closed',
      );
      // The call ran in the request's own history (the fast path): its activity ended cancelled.
      const history = await h.env.client.workflow.getHandle(request.requestId).fetchHistory();
      assert.ok(history.events?.some((e) => e.activityTaskCancelRequestedEventAttributes));
    } finally {
      h.emulator.setLatency({ holdMs: 0, model: 'gpt-4.1-mini' });
    }
  });
});

describe('per-provider task queues', () => {
  it('runs provider calls on <queue>-<provider> so a slow provider cannot take every slot', async () => {
    const queued = await startHarness({
      worker: { settings: { providerQueues: { enabled: true, maxActivitiesPerSecond: { anthropic: 50 } } } },
    });
    try {
      const openai = await queued.client.process(qa('queue-openai', { model: 'gpt-4o-mini' }));
      const anthropic = await queued.client.process(qa('queue-anthropic', { model: 'claude-haiku-4-5' }));
      for (const [result, provider] of [
        [openai, 'openai'],
        [anthropic, 'anthropic'],
      ] as const) {
        // The first model's call is in the request's own history (the fast path).
        const history = await queued.env.client.workflow.getHandle(result.requestId).fetchHistory();
        const scheduled = history.events?.find(
          (e) => e.activityTaskScheduledEventAttributes,
        )?.activityTaskScheduledEventAttributes;
        assert.equal(scheduled?.taskQueue?.name, `${queued.taskQueue}-${provider}`);
      }
    } finally {
      await queued.stop();
    }
  });
});
