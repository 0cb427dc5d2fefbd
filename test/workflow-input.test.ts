// Every workflow type a caller can start refuses a malformed argument at once: started by name through
// a raw Temporal client (as a service in another language would), it fails on its first workflow task
// with a non-retryable InvalidRequestError naming the field, instead of retrying that task for ever.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowTypeName } from '../common/workflowInputSchemas.js';
import { type Harness, requestId, startHarness } from './support/harness.js';
import { steps } from './support/history.js';

/** The garbage of the issue: an unknown field and a number where a string belongs. */
const NONSENSE = { nonsense: true, templateId: 42 };

/** Per workflow type: what names the problem in NONSENSE, and an argument missing a required field. */
const CASES: Record<WorkflowTypeName, { nonsense: RegExp; missing: unknown; missingField: RegExp }> = {
  llmRequest: {
    nonsense: /\/templateId must be string/,
    missing: { taskType: 'general_qa', templateId: 'general_qa', variables: {} },
    missingField: /required property 'requestId'/,
  },
  llmBatch: {
    nonsense: /\(nonsense\)/,
    missing: { concurrency: 2 },
    missingField: /required property 'requests'/,
  },
  conversation: {
    nonsense: /\/templateId must be string/,
    missing: { state: { summary: '' } },
    missingField: /\/state must have required property 'summarizedTurns'/,
  },
  pipeline: {
    nonsense: /\(nonsense\)/,
    missing: { pipeline: 'x' },
    missingField: /required property 'input'/,
  },
  pipelineStep: {
    nonsense: /required property 'request'/,
    missing: { request: {} },
    missingField: /required property 'blobThresholdBytes'/,
  },
  summarizeContext: {
    nonsense: /required property 'items'/,
    missing: {},
    missingField: /required property 'items'/,
  },
  modelCall: {
    nonsense: /required property 'requestId'/,
    missing: { requestId: 'r', taskType: 't', messages: [] },
    missingField: /required property 'planned'/,
  },
  agent: {
    nonsense: /\(nonsense\)/,
    missing: { agentId: 'x', input: 'hi' },
    missingField: /required property 'runId'/,
  },
  batchCollector: {
    nonsense: /required property 'model'/,
    missing: { model: { id: 'm', provider: 'openai', providerModel: 'm', pricing: {} } },
    missingField: /required property 'settings'/,
  },
  providerBatch: {
    nonsense: /required property 'model'/,
    missing: { model: { id: 'm', provider: 'openai', providerModel: 'm', pricing: {} }, settings: {} },
    missingField: /required property 'items'/,
  },
};

describe('workflows check their own input', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.stop();
  });

  /** Starts `type` with `arg` by name and returns its failure; the execution timeout bounds the wait. */
  async function failureOf(type: string, arg: unknown): Promise<{ failure: ApplicationFailure; id: string }> {
    const id = requestId(`garbage-${type}`);
    const handle = await h.env.client.workflow.start(type, {
      workflowId: id,
      taskQueue: h.taskQueue,
      args: [arg],
      workflowExecutionTimeout: '60 seconds',
    });
    const error = await handle.result().then(
      () => assert.fail(`${type} accepted ${JSON.stringify(arg)}`),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WorkflowFailedError, `${type}: ${String(error)}`);
    assert.ok(error.cause instanceof ApplicationFailure, `${type}: cause ${String(error.cause)}`);
    return { failure: error.cause, id };
  }

  /** One workflow task, failed with the workflow: no task retried, nothing scheduled. */
  async function assertFailedOnFirstTask(id: string): Promise<void> {
    const history = await h.env.client.workflow.getHandle(id).fetchHistory();
    const events = history.events ?? [];
    assert.equal(
      events.filter((e) => e.workflowTaskStartedEventAttributes).length,
      1,
      `${id}: workflow tasks`,
    );
    assert.ok(!events.some((e) => e.workflowTaskFailedEventAttributes), `${id}: a workflow task failed`);
    assert.deepEqual(await steps(h.env.client, id), [], `${id}: steps ran`);
    assert.ok(
      events.at(-1)?.workflowExecutionFailedEventAttributes,
      `${id}: the last event is not the failure`,
    );
  }

  for (const [type, expected] of Object.entries(CASES)) {
    it(`${type} fails with InvalidRequestError naming the field for garbage, null, a string and a missing field`, async () => {
      const garbage: [unknown, RegExp][] = [
        [NONSENSE, expected.nonsense],
        [null, /invalid \w+ input: \/ must be object/],
        ['hello', /invalid \w+ input: \/ must be object/],
        [expected.missing, expected.missingField],
      ];
      for (const [arg, names] of garbage) {
        const { failure, id } = await failureOf(type, arg);
        assert.equal(
          failure.type,
          'InvalidRequestError',
          `${type} ${JSON.stringify(arg)}: ${failure.message}`,
        );
        assert.equal(failure.nonRetryable, true);
        assert.match(failure.message, names, `${type} ${JSON.stringify(arg)}`);
        await assertFailedOnFirstTask(id);
      }
    });
  }
});
