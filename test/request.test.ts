// The foundation, end to end on a real dev server and the provider emulator: a request's result and
// history, rate-limit retries on the same model, non-retryable errors, and bad input.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { failureType } from '../common/errors.js';
import type { LlmRequest } from '../common/request.js';
import { type Harness, requestId, startHarness } from './support/harness.js';
import { names, steps } from './support/history.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.stop();
});

function qa(label: string, extra: Partial<LlmRequest> = {}): LlmRequest {
  return {
    requestId: requestId(label),
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question: `What is a durable workflow? (${label})` },
    model: 'gpt-4o-mini',
    ...extra,
  };
}

/** The heartbeat timeout, in seconds, of each activity a workflow scheduled. */
async function heartbeatTimeouts(harness: Harness, workflowId: string): Promise<number[]> {
  const history = await harness.env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const timeout = event.activityTaskScheduledEventAttributes?.heartbeatTimeout;
    return timeout ? [Number(timeout.seconds ?? 0)] : [];
  });
}

describe('a request', () => {
  it('returns the answer with the token usage the emulator reported, and its steps are in history', async () => {
    const request = qa('happy');
    const result = await h.client.process(request);
    assert.equal(result.requestId, request.requestId);
    assert.equal(result.workflowId, request.requestId);
    assert.equal(result.model, 'gpt-4o-mini');
    assert.equal(result.provider, 'openai');
    assert.equal(result.templateId, 'general_qa');
    assert.match(result.text, /Emulated reply from gpt-4o-mini/);
    const calls = h.emulator.calls().filter((c) => c.model === 'gpt-4o-mini' && c.status === 200);
    const call = calls.at(-1);
    assert.ok(call);
    assert.equal(result.usage.inputTokens, call.inputTokens);
    assert.equal(result.usage.outputTokens, call.outputTokens);
    assert.equal(result.usage.totalTokens, (call.inputTokens ?? 0) + (call.outputTokens ?? 0));
    assert.ok(result.costUsd > 0);
    assert.equal(result.cached, false);
    assert.deepEqual(
      result.attempts.map((a) => [a.model, a.outcome]),
      [['gpt-4o-mini', 'success']],
    );

    // The fast path: render, plan, cache and budget in one local activity, then the first model's
    // provider call (which checks its own answer) in the request's own history, then settle and store
    // in one more local activity; no child for a first model.
    const parent = await steps(h.env.client, request.requestId);
    assert.deepEqual(names(parent, 'localActivity'), ['beginRequest', 'finishRequest']);
    assert.deepEqual(names(parent, 'activity'), ['invokeProvider']);
    assert.deepEqual(names(parent, 'child'), []);
    assert.deepEqual(await heartbeatTimeouts(h, request.requestId), [10], 'the default heartbeat timeout');
    // One patch marker stands for every change since the first runs: each id costs a new run a marker
    // and a TemporalChangeVersion write (workflows/patches.ts).
    assert.deepEqual(names(parent, 'patch'), ['request-shape-2026-12']);
  });

  it('returns the same run when the same request id is submitted twice', async () => {
    const request = qa('duplicate');
    const first = await h.client.process(request);
    const callsBefore = h.emulator.calls().length;
    const second = await h.client.process(request);
    assert.deepEqual(second, first);
    assert.equal(h.emulator.calls().length, callsBefore, 'no second provider call');
  });

  it('retries a rate-limited model after the retry-after the provider sent, on the same model', async () => {
    h.emulator.addFault({ model: 'claude-haiku-4-5', status: 429, times: 2, retryAfterSeconds: 1 });
    const request = qa('ratelimit', { model: 'claude-haiku-4-5' });
    const started = Date.now();
    const result = await h.client.process(request);
    assert.equal(result.model, 'claude-haiku-4-5');
    const calls = h.emulator
      .calls()
      .filter((c) => c.model === 'claude-haiku-4-5' && c.receivedAtMs >= started);
    assert.deepEqual(
      calls.map((c) => c.status),
      [429, 429, 200],
    );
    for (let i = 1; i < calls.length; i++) {
      const gap = (calls[i]?.receivedAtMs ?? 0) - (calls[i - 1]?.receivedAtMs ?? 0);
      assert.ok(gap >= 1000, `gap ${gap} ms between call ${i} and ${i + 1} honours retry-after: 1`);
    }
    assert.equal(result.attempts.length, 3);
    assert.deepEqual(
      result.attempts.map((a) => [a.outcome, a.errorType ?? null, a.try]),
      [
        ['failed', 'RateLimitError', 1],
        ['failed', 'RateLimitError', 2],
        ['success', null, 3],
      ],
    );
  });

  it('does not retry a 401: one call to that model, then the next model of the chain', async () => {
    h.emulator.addFault({ model: 'gpt-4o', status: 401, times: 1 });
    const started = Date.now();
    const request = qa('unauthorized', { model: 'gpt-4o', fallbackModels: ['claude-haiku-4-5'] });
    const result = await h.client.process(request);
    const toGpt4o = h.emulator.calls().filter((c) => c.model === 'gpt-4o' && c.receivedAtMs >= started);
    assert.equal(toGpt4o.length, 1);
    assert.equal(toGpt4o[0]?.status, 401);
    assert.notEqual(result.model, 'gpt-4o');
    assert.equal(result.attempts[0]?.errorType, 'AuthenticationError');
    // The model fallen back to is a child, which as a new run records the one patch marker too.
    const [child, ...more] = names(await steps(h.env.client, request.requestId), 'child');
    assert.ok(child);
    assert.deepEqual(more, []);
    assert.deepEqual(names(await steps(h.env.client, child), 'patch'), ['request-shape-2026-12']);
  });
});

describe('bad input', () => {
  async function failure(request: LlmRequest): Promise<{ type: string | undefined; message: string }> {
    try {
      await h.client.process(request);
    } catch (error) {
      return { type: failureType(error), message: (error as Error).message };
    }
    assert.fail('the request should have failed');
  }

  it('an unknown template fails with TemplateNotFoundError naming the known templates', async () => {
    const { type, message } = await failure(qa('unknown-template', { templateId: 'no_such_template' }));
    assert.equal(type, 'TemplateNotFoundError');
    assert.match(message, /no_such_template/);
    assert.match(message, /general_qa/);
  });

  it('a missing required variable fails with MissingVariablesError naming it', async () => {
    const { type, message } = await failure(qa('missing-var', { variables: {} }));
    assert.equal(type, 'MissingVariablesError');
    assert.match(message, /question/);
  });

  it('an unknown model fails with UnknownModelError listing the catalog', async () => {
    const { type, message } = await failure(qa('unknown-model', { model: 'gpt-99' }));
    assert.equal(type, 'UnknownModelError');
    assert.match(message, /gpt-99/);
    assert.match(message, /gpt-4o-mini/);
  });

  it('a malformed JSON schema fails with InvalidSchemaError', async () => {
    const { type, message } = await failure(
      qa('bad-schema', {
        outputFormat: 'json',
        schema: { type: 'object', properties: { a: { type: 'nonsense' } } },
      }),
    );
    assert.equal(type, 'InvalidSchemaError');
    assert.match(message, /schema/i);
  });

  it('a malformed request is refused before it starts, with InvalidRequestError naming the field', async () => {
    const bad = { ...qa('malformed'), variables: 'not an object' } as unknown as LlmRequest;
    const { type, message } = await failure(bad);
    assert.equal(type, 'InvalidRequestError');
    assert.match(message, /\/variables/);
  });

  it('refuses stream with urgency batch before it starts, saying which to drop', async () => {
    const request: LlmRequest = { ...qa('stream-batch'), stream: true, urgency: 'batch' };
    const { type, message } = await failure(request);
    assert.equal(type, 'InvalidRequestError');
    assert.match(message, /stream cannot be used with urgency 'batch'.*drop stream/);
    const started = await h.env.client.workflow
      .getHandle(request.requestId)
      .describe()
      .then(
        () => true,
        () => false,
      );
    assert.equal(started, false, 'no workflow was started');
  });

  it('an unreachable provider fails with ProviderUnreachableError after its retries, and the worker keeps serving', async () => {
    const unreachable = await startHarness({
      worker: {
        providers: { openai: { apiKey: 'k', baseURL: 'http://127.0.0.1:9/v1' } },
        settings: {
          retry: {
            maxAttempts: 2,
            initialIntervalMs: 50,
            backoffCoefficient: 1,
            maxIntervalMs: 50,
            heartbeatTimeoutMs: 30_000,
          },
        },
      },
    });
    try {
      const request = qa('unreachable');
      const error = await unreachable.client.process(request).then(
        () => assert.fail('should fail'),
        (e: unknown) => e,
      );
      assert.equal(failureType(error), 'AllModelsFailedError');
      const message = (error as Error).message;
      assert.match(message, /gpt-4o-mini: MaxRetriesExceededError/);
      assert.match(message, /cannot reach the provider/);
      assert.match(message, /OPENAI_BASE_URL/);
      // The retry policy's heartbeat timeout is the one each provider call is scheduled with.
      assert.deepEqual(await heartbeatTimeouts(unreachable, request.requestId), [30]);
    } finally {
      await unreachable.stop();
    }
    // The main worker still serves requests after all of the above.
    const ok = await h.client.process(qa('after-bad-input'));
    assert.equal(ok.model, 'gpt-4o-mini');
  });
});
