// What keeps a pipeline whole on a real dev server (the worker-restart drill is in
// test/drills/pipeline-restart.test.ts): the budget stops new steps; the deadline reaches every child and ends the pipeline;
// cancelling cancels the running children; large outputs stay out of the pipeline's history.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: pipeline references are written as ${...} strings
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { createPipelineActivities } from '../activities/pipelines.js';
import {
  cancelPipeline,
  pipelineChildren,
  pipelineHandle,
  pipelineResult,
  pipelineStatus,
  runPipeline,
  startPipeline,
} from '../client/pipelines.js';
import { failureType } from '../common/errors.js';
import type { RequestStepDefinition } from '../common/pipelines/types.js';
import { pipelineBlobDirectory } from '../core/pipelines/blobs.js';
import { type Harness, startHarness } from './support/harness.js';
import { names, steps } from './support/history.js';

let h: Harness;
let blobDir: string;
before(async () => {
  blobDir = await mkdtemp(join(tmpdir(), 'pipeline-blobs-'));
  process.env.PIPELINE_BLOB_DIR = blobDir;
  h = await startHarness();
});
after(async () => {
  await h?.stop();
  await rm(blobDir, { recursive: true, force: true });
});
beforeEach(() => {
  h.emulator.reset();
});

const ask = (name: string, model: string, question: string, extra: Partial<RequestStepDefinition> = {}) => ({
  name,
  taskType: 'general_qa',
  template: 'general_qa',
  model,
  variables: { question },
  ...extra,
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Every payload in a history, decoded, as one text to search. */
function payloadText(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString();
  if (Array.isArray(value)) return value.map(payloadText).join('\n');
  if (value !== null && typeof value === 'object') return Object.values(value).map(payloadText).join('\n');
  return '';
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => assert.fail('should fail'),
    (e: unknown) => e as Error,
  );
}

describe('a pipeline', () => {
  it('stops at the budget: the next step is not started and BudgetExceededError names cap and spend', async () => {
    const { workflowId } = await startPipeline(h.client, {
      definition: {
        name: 'budget',
        steps: [
          ask('first', 'gpt-4o-mini', 'One?'),
          ask('second', 'gpt-4o-mini', 'Two? ${steps.first.output}'),
        ],
      },
      input: {},
      budgetUsd: 0.000001,
    });
    const error = await failure(pipelineResult(h.client, workflowId));
    assert.equal(failureType(error), 'BudgetExceededError');
    const status = await pipelineStatus(h.client, workflowId);
    assert.ok(status.costUsd > 0.000001);
    assert.match(error.message, /pipeline budget of \$0\.000001 reached: \$0\.0000\d+ spent/);
    assert.ok(error.message.includes(`$${status.costUsd.toFixed(6)} spent`), error.message);
    assert.match(error.message, new RegExp(`${workflowId}/second and the steps after it were not started`));
    assert.deepEqual(
      status.steps.map((s) => [s.name, s.status, s.children.length]),
      [
        ['first', 'completed', 1],
        ['second', 'failed', 0],
      ],
    );
  });

  it('gives each child what is left of its deadline, and fails when the deadline passes', async () => {
    const { workflowId } = await startPipeline(h.client, {
      definition: {
        name: 'deadline',
        steps: [
          ask('first', 'gpt-4o-mini', 'Quick?'),
          { name: 'review', needs: ['first'], approval: { timeoutSeconds: 600, default: 'approve' } },
        ],
      },
      input: {},
      deadlineSeconds: 2,
    });
    const error = await failure(pipelineResult(h.client, workflowId));
    // The deadline's own error, not the approval's: the 600 s approval timeout would have approved
    // by default and the pipeline would have succeeded.
    assert.equal(failureType(error), 'PipelineDeadlineExceededError');
    // The child request carried the remaining time as its own deadline.
    const history = await pipelineHandle(h.client, `${workflowId}/first`).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    const input = JSON.parse(Buffer.from(payload ?? []).toString()) as {
      request: { deadlineSeconds?: number };
    };
    assert.ok(
      input.request.deadlineSeconds !== undefined && input.request.deadlineSeconds <= 2,
      `child deadline ${input.request.deadlineSeconds}`,
    );
  });

  it('cancelling it cancels the running children', async () => {
    h.emulator.setLatency({ holdMs: 30_000, model: 'claude-haiku-4-5' });
    const { workflowId } = await startPipeline(h.client, {
      definition: { name: 'cancel', steps: [ask('slow', 'claude-haiku-4-5', 'Slow?')] },
      input: {},
    });
    await until('the provider call', async () =>
      h.emulator.calls().find((c) => c.model === 'claude-haiku-4-5' && c.status === 'pending'),
    );
    await cancelPipeline(h.client, workflowId);
    const error = await failure(pipelineResult(h.client, workflowId));
    assert.ok(error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure, String(error));
    const [child] = await pipelineChildren(h.client, workflowId);
    assert.equal(child?.status, 'CANCELLED');
    const call = await until('the provider call to be cut off', async () =>
      h.emulator.calls().find((c) => c.model === 'claude-haiku-4-5' && c.status === 'aborted'),
    );
    assert.ok(
      call.durationMs !== null && call.durationMs < 30_000,
      'the held call was abandoned, not awaited',
    );
  });

  it('keeps large outputs in the blob store: the pipeline history holds references, children load them', async () => {
    const sentinel = `LONG-DESCRIPTION ${'lorem ipsum '.repeat(40)}`;
    const breakdown = {
      tasks: [
        { title: 'Database schema', description: sentinel, complexity: 'low', suggested_role: 'backend' },
        { title: 'REST routes', description: sentinel, complexity: 'medium', suggested_role: 'backend' },
      ],
      dependencies: [{ from_task: 'Database schema', to_task: 'REST routes' }],
    };
    const result = await runPipeline(h.client, {
      pipeline: 'requirement_to_code',
      input: { requirement: `Todo API [[emulator:reply=${JSON.stringify(breakdown)}]]` },
      blobThresholdBytes: 300,
    });
    const ref = result.outputs.analyse as { $ref: string };
    assert.match(ref.$ref, /^blob:[0-9a-f]{64}$/);
    const { loadBlob } = createPipelineActivities({ blobs: pipelineBlobDirectory(blobDir) });
    assert.deepEqual(await loadBlob({ ref: ref.$ref }), breakdown);
    // The dependency order still applied, read from inside the blob.
    assert.deepEqual(result.steps.find((s) => s.name === 'implement')?.items?.waves, [[0], [1]]);

    // The pipeline's history: children's results are small, and the items reached the children as
    // references, not as copies of the long descriptions.
    const history = await pipelineHandle(h.client, result.pipelineId).fetchHistory();
    const events = history.events ?? [];
    const childResults = events.flatMap((event) => {
      const data = event.childWorkflowExecutionCompletedEventAttributes?.result?.payloads?.[0]?.data;
      return data ? [data.length] : [];
    });
    const implementInputs = events.flatMap((event) => {
      const started = event.startChildWorkflowExecutionInitiatedEventAttributes;
      return started?.workflowId?.includes('/implement/')
        ? [Buffer.from(started.input?.payloads?.[0]?.data ?? []).toString()]
        : [];
    });
    // Every step's child completed with a result (analyse and the two implement children at least),
    // and exactly the two implement children were started: the checks below cannot pass on nothing.
    assert.ok(childResults.length >= 3, `${childResults.length} child results in the pipeline history`);
    assert.equal(implementInputs.length, 2, 'one implement child per task');
    for (const bytes of childResults) assert.ok(bytes < 2000, `a child result of ${bytes} bytes`);
    for (const input of implementInputs) {
      assert.ok(!input.includes('LONG-DESCRIPTION'), 'the item is passed as a reference');
      assert.match(input, /"\$ref":"blob:/);
    }
    // Each implement child loaded the blob itself, and its prompt had the task's title and description.
    for (const index of [0, 1]) {
      const childId = `${result.pipelineId}/implement/${index}`;
      const activities = names(await steps(h.env.client, childId), 'activity');
      assert.ok(activities.includes('loadBlob'), `${childId} ran ${activities.join(', ')}`);
      const childHistory = payloadText(await pipelineHandle(h.client, childId).fetchHistory());
      assert.ok(childHistory.includes(breakdown.tasks[index]?.title ?? '?'), `${childId} saw its title`);
      assert.ok(childHistory.includes('LONG-DESCRIPTION'), `${childId} saw its description`);
    }
  });
});
