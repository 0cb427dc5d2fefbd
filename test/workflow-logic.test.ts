// Request workflow logic with a scripted provider on the time-skipping test server: the order of a
// fallback chain, and a rate-limit wait of minutes, checked in milliseconds of real time and without
// HTTP. What the adapters do with real provider bodies is tested against the emulator elsewhere.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { AuthenticationError, ModelNotFoundError, RateLimitError } from '../common/errors.js';
import { messageText } from '../common/messages.js';
import type { LlmRequest } from '../common/request.js';
import { type Harness, requestId, startHarness } from './support/harness.js';
import { ScriptedProvider } from './support/scriptedProvider.js';

let h: Harness;
let openai: ScriptedProvider;
let anthropic: ScriptedProvider;
before(async () => {
  h = await startHarness({ worker: false, timeSkipping: true });
  const worker = await h.startWorker();
  openai = new ScriptedProvider('openai');
  anthropic = new ScriptedProvider('anthropic');
  worker.deps.providers.register(openai);
  worker.deps.providers.register(anthropic);
});
after(async () => {
  await h?.stop();
});

function qa(label: string, extra: Partial<LlmRequest>): LlmRequest {
  return {
    requestId: requestId(label),
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question: `Scripted ${label}` },
    ...extra,
  };
}

const outcomes = (result: { attempts: { model: string; outcome: string; errorType?: string }[] }) =>
  result.attempts.map((a) => [a.model, a.outcome, a.errorType ?? null]);

/** Seconds between a workflow's start and close on the server's clock (which skips idle time). */
async function serverSeconds(workflowId: string): Promise<number> {
  const events = (await h.env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const at = (index: number): number => Number(events.at(index)?.eventTime?.seconds ?? 0);
  return at(-1) - at(0);
}

it('moves on at once from failures retrying cannot fix: each model of the chain called once, in the plan’s order', async () => {
  openai.script('gpt-4o', { error: new AuthenticationError('revoked key', { details: { status: 401 } }) });
  anthropic.script('claude-haiku-4-5', {
    error: new ModelNotFoundError('no such model', { details: { status: 404 } }),
  });
  const request = qa('fallback', { model: 'gpt-4o', fallbackModels: ['claude-haiku-4-5', 'gpt-4o-mini'] });
  const result = await h.client.process(request);
  // The chain's order is the plan's (the fallbacks ranked by the route); each model once.
  const tried = result.attempts.map((a) => a.model);
  assert.equal(tried[0], 'gpt-4o', 'the requested model first');
  assert.equal(new Set(tried).size, tried.length, 'no model retried');
  assert.deepEqual(
    result.attempts.map((a) => [a.outcome, a.errorType ?? null]),
    [
      ['failed', 'AuthenticationError'],
      ...tried.slice(1, -1).map(() => ['failed', 'ModelNotFoundError']),
      ['success', null],
    ],
  );
  assert.equal(result.model, tried.at(-1));
  // The providers were called exactly for the attempts, in their order.
  const calls = [...openai.calls, ...anthropic.calls].filter((c) =>
    c.request.messages.some((m) => messageText(m).includes('Scripted fallback')),
  );
  assert.deepEqual(calls.map((c) => c.model).sort(), [...tried].sort());
  assert.deepEqual(
    openai.calls.filter((c) => calls.includes(c)).map((c) => c.model),
    tried.filter((m) => m !== 'claude-haiku-4-5'),
  );
});

it('waits the retry-after a rate-limited model asked for (two minutes, twice) and stays on that model', async () => {
  const twoMinutes = 120_000;
  const limited = () =>
    new RateLimitError('rate limited', { details: { status: 429, retryAfterMs: twoMinutes } });
  openai.script('gpt-4.1-mini', { error: limited() }, { error: limited() });
  const before = openai.calls.length;
  const request = qa('rate-limit-wait', { model: 'gpt-4.1-mini', fallbackModels: ['gpt-4o-mini'] });
  const result = await h.client.process(request);
  assert.equal(result.model, 'gpt-4.1-mini');
  assert.deepEqual(outcomes(result), [
    ['gpt-4.1-mini', 'failed', 'RateLimitError'],
    ['gpt-4.1-mini', 'failed', 'RateLimitError'],
    ['gpt-4.1-mini', 'success', null],
  ]);
  assert.deepEqual(
    openai.calls.slice(before).map((c) => c.model),
    ['gpt-4.1-mini', 'gpt-4.1-mini', 'gpt-4.1-mini'],
  );
  // Both waits happened, durably, on the server's clock: at least four minutes passed there.
  const seconds = await serverSeconds(request.requestId);
  assert.ok(seconds >= (2 * twoMinutes) / 1000, `${seconds} s on the server's clock`);
});
