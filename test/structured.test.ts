// Structured output on the real stack: native structured output where the model has it, the
// answer validated against the schema, and invalid answers re-asked with the errors (repair),
// then the next model — every try visible in history.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JsonSchema, LlmRequest } from '../common/request.js';
import { type Harness, requestId, startHarness } from './support/harness.js';
import { names, steps } from './support/history.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.stop();
});

const answerSchema: JsonSchema = {
  type: 'object',
  required: ['answer', 'confidence'],
  additionalProperties: false,
  properties: {
    answer: { type: 'string', minLength: 1 },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
  },
};

function ask(label: string, extra: Partial<LlmRequest> = {}): LlmRequest {
  return {
    requestId: requestId(label),
    taskType: 'general_qa',
    templateId: 'general_qa',
    templateVersion: '1.0',
    variables: { question: `Structured output test ${label}` },
    schema: answerSchema,
    ...extra,
  };
}

describe('structured output', () => {
  it('returns schema-valid JSON from native structured output (OpenAI json_schema, Anthropic tool use)', async () => {
    for (const model of ['gpt-4o-mini', 'claude-haiku-4-5']) {
      const result = await h.client.process(ask(`native-${model}`, { model }));
      assert.equal(result.model, model);
      const output = result.output as { answer: string; confidence: number };
      assert.equal(typeof output.answer, 'string');
      assert.ok(output.confidence >= 0 && output.confidence <= 1);
      assert.deepEqual(JSON.parse(result.text), output);
    }
  });

  it('repairs a malformed answer by re-asking the same model with the errors', async () => {
    h.emulator.addFault({ model: 'gpt-4o', status: 'malformed', times: 1 });
    const request = ask('repair-once', { model: 'gpt-4o' });
    const result = await h.client.process(request);
    assert.equal(result.model, 'gpt-4o');
    assert.deepEqual(
      result.attempts.map((a) => [a.outcome, a.errorType ?? null, a.repair ?? false]),
      [
        ['failed', 'InvalidResponseError', false],
        ['success', null, true],
      ],
    );
    // The first model runs in the request's own history (the fast path), its repair too.
    const parent = await steps(h.env.client, request.requestId);
    assert.deepEqual(names(parent, 'activity'), ['invokeProvider', 'invokeProvider']);
    // Each provider call checked its own answer: the verdicts are in the calls' results, no step of their own.
    assert.deepEqual(names(parent, 'localActivity'), ['beginRequest', 'finishRequest']);
    const history = await h.env.client.workflow.getHandle(request.requestId).fetchHistory();
    const verdicts = (history.events ?? [])
      .map((e) => e.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data)
      .filter((d): d is Uint8Array => d !== undefined && d !== null)
      .map((d) => (JSON.parse(Buffer.from(d).toString()) as { validation?: { ok: boolean } }).validation?.ok);
    assert.deepEqual(verdicts, [false, true]);
    // The repair prompt carried the validation errors back to the model.
    const inputs = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.input?.payloads?.[0]?.data)
      .filter((d): d is Uint8Array => d !== undefined && d !== null)
      .map((d) => JSON.parse(Buffer.from(d).toString()) as { messages: { role: string; content: string }[] });
    const repair = inputs[1]?.messages.at(-1);
    assert.equal(repair?.role, 'user');
    assert.match(repair?.content ?? '', /JSON/);
  });

  it('moves to the next model when the answer stays invalid beyond the repair limit', async () => {
    h.emulator.addFault({ model: 'gpt-4.1', status: 'malformed', times: 2 });
    const request = ask('repair-exhausted', {
      model: 'gpt-4.1',
      maxRepairs: 1,
      fallbackModels: ['gpt-4.1-mini'],
    });
    const result = await h.client.process(request);
    assert.notEqual(result.model, 'gpt-4.1');
    const first = result.attempts.filter((a) => a.model === 'gpt-4.1');
    assert.deepEqual(
      first.map((a) => a.errorType),
      ['InvalidResponseError', 'InvalidResponseError'],
    );
    // The first model ran in the request itself; the model moved to shows as its child.
    assert.deepEqual(names(await steps(h.env.client, request.requestId), 'child'), [
      `${request.requestId}/2-${result.model}`,
    ]);
  });
});
