// `policy.modelCalls: inline`: the same fallback chain, retries and repairs as with one child per
// model, run in the request's own history. The result must not change; only where the steps live.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Attempt, LlmRequest } from '../common/request.js';
import { type Harness, requestId, startHarness, testSettings } from './support/harness.js';
import { names, steps } from './support/history.js';

let h: Harness;
before(async () => {
  h = await startHarness({ worker: { settings: { ...testSettings, modelCalls: 'inline' } } });
});
after(async () => {
  await h?.stop();
});

const outcomes = (attempts: Attempt[]) => attempts.map((a) => [a.model, a.outcome, a.errorType ?? null]);

function qa(label: string, extra: Partial<LlmRequest> = {}): LlmRequest {
  return {
    requestId: requestId(label),
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question: `Inline routing test ${label}` },
    ...extra,
  };
}

/** The summaries of the request's provider calls, as the UI's timeline shows them. */
async function callSummaries(workflowId: string): Promise<string[]> {
  const history = await h.env.client.workflow.getHandle(workflowId).fetchHistory();
  const converter = h.env.client.options.loadedDataConverter.payloadConverter;
  return (history.events ?? [])
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'invokeProvider')
    .map((e) => {
      const summary = e.userMetadata?.summary;
      return summary ? String(converter.fromPayload(summary)) : '';
    });
}

it('retries, then falls back, with every try in the request history and no child workflow', async () => {
  h.emulator.addFault({ model: 'gpt-4.1', status: 429, times: 1, retryAfterSeconds: 0.2 });
  h.emulator.addFault({ model: 'gpt-4.1', status: 401, times: 1 });
  const request = qa('fallback', { model: 'gpt-4.1', fallbackModels: ['gpt-4.1-mini'] });
  const result = await h.client.process(request);

  assert.notEqual(result.model, 'gpt-4.1');
  assert.deepEqual(outcomes(result.attempts), [
    ['gpt-4.1', 'failed', 'RateLimitError'],
    ['gpt-4.1', 'failed', 'AuthenticationError'],
    [result.model, 'success', null],
  ]);
  const history = await steps(h.env.client, request.requestId);
  assert.deepEqual(names(history, 'child'), [], 'no modelCall child workflows');
  assert.deepEqual(names(history, 'activity'), ['invokeProvider', 'invokeProvider']);
  assert.deepEqual(await callSummaries(request.requestId), [
    'gpt-4.1 (openai)',
    `${result.model} (${result.provider})`,
  ]);
});

it('repairs an invalid JSON answer on the same model, inline', async () => {
  const request = qa('repair', {
    outputFormat: 'json',
    variables: { question: '[[emulator:reply=not json at all]] Answer as JSON' },
    maxRepairs: 1,
  });
  const result = await h.client.process(request).catch((error: Error) => error);
  // The emulator replies the same forced text to the repair prompt: the request fails after one repair.
  assert.ok(result instanceof Error, 'an answer that never validates fails the request');
  const history = await steps(h.env.client, request.requestId);
  const summaries = await callSummaries(request.requestId);
  // Each model of the chain: its first try, then one repair on the same model.
  assert.equal(summaries.length % 2, 0, summaries.join(', '));
  assert.ok(summaries.length >= 2);
  assert.equal(summaries[1], `${summaries[0]}, repair 1`);
  assert.deepEqual(names(history, 'child'), []);
});

it('keeps a retried try failure whole in history: type, details and retry delay survive', async () => {
  // Three failed tries make the failure carry three earlier tries; the server replaces a stored
  // failure over its size limit with "Failure exceeds size limit.", losing all three.
  h.emulator.addFault({ model: 'gpt-4.1-mini', status: 503, times: 3 });
  const request = qa('failure-size', { model: 'gpt-4.1-mini' });
  const result = await h.client.process(request);
  assert.equal(result.model, 'gpt-4.1-mini');
  // Inline, the provider activity is in the request's own history.
  const history = await h.env.client.workflow.getHandle(request.requestId).fetchHistory();
  const started = history.events?.find(
    (e) => e.activityTaskStartedEventAttributes,
  )?.activityTaskStartedEventAttributes;
  assert.equal(started?.attempt, 4);
  const last = started?.lastFailure;
  assert.notEqual(last?.message, 'Failure exceeds size limit.');
  assert.match(last?.message ?? '', /answered 503/);
  assert.ok(last?.applicationFailureInfo?.type, 'the failure keeps its type');
  assert.ok(last?.applicationFailureInfo?.nextRetryDelay, 'and the delay the activity asked for');
});
