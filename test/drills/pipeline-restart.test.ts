// Drill: a worker restart in the middle of a pipeline loses nothing and repeats nothing. The worker
// is stopped while two provider calls are in flight and a new one takes over; every step and item
// is answered once, and the calls the stop cut off are retried, not repeated.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: pipeline references are written as ${...} strings
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { pipelineChildren, pipelineResult, startPipeline } from '../../client/pipelines.js';
import type { PipelineDefinition, RequestStepDefinition } from '../../common/pipelines/types.js';
import { type Harness, startHarness } from '../support/harness.js';

let h: Harness;
let worker: Awaited<ReturnType<Harness['startWorker']>>;
let blobDir: string;
before(async () => {
  blobDir = await mkdtemp(join(tmpdir(), 'pipeline-blobs-'));
  process.env.PIPELINE_BLOB_DIR = blobDir;
  h = await startHarness({ worker: false });
  worker = await h.startWorker();
});
after(async () => {
  await h?.stop();
  await rm(blobDir, { recursive: true, force: true });
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

async function resetStickiness(): Promise<void> {
  const { workflowService } = h.env.client.workflow;
  const { namespace } = h.env.client.options;
  for await (const open of h.env.client.workflow.list({ query: 'ExecutionStatus="Running"' })) {
    await workflowService.resetStickyTaskQueue({ namespace, execution: { workflowId: open.workflowId } });
  }
}

it('survives a worker restart in the middle: it completes and every step ran once', async () => {
  h.emulator.setLatency({ fixedMs: 300 });
  const definition: PipelineDefinition = {
    name: 'restart',
    requiredInputs: ['parts'],
    steps: [
      ask('plan', 'gpt-4o', 'Plan the parts ${input.parts}'),
      ask('work', 'claude-haiku-4-5', 'Write part ${item} of ${steps.plan.output}', {
        forEach: { items: '${input.parts}', concurrency: 2 },
      }),
      ask('wrap', 'gpt-4o-mini', 'Wrap up: ${steps.work.output | join}'),
    ],
  };
  const { workflowId } = await startPipeline(h.client, {
    definition,
    input: { parts: ['a', 'b', 'c', 'd'] },
  });
  // Stop the worker while the first two parts' provider calls are in flight.
  await until('two calls in flight', async () => {
    const pending = h.emulator
      .calls()
      .filter((c) => c.model === 'claude-haiku-4-5' && c.status === 'pending');
    return pending.length === 2 ? pending : undefined;
  });
  const stoppedAt = Date.now();
  await worker.stop();
  const callsWhileStopped = h.emulator.calls().length;
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(h.emulator.calls().length, callsWhileStopped, 'nothing runs without a worker');
  worker = await h.startWorker();
  // The stopped worker's sticky queues would hold the next workflow tasks for 10 s (its
  // schedule-to-start timeout) before the server hands them to the new worker; an operator's
  // graceful restart resets stickiness, and so does this test, to stay fast.
  await resetStickiness();

  const result = await pipelineResult(h.client, workflowId);
  const resumedMs = Date.now() - stoppedAt;
  assert.equal((result.outputs.work as unknown[]).length, 4);
  const answered = (model: string) =>
    h.emulator.calls().filter((c) => c.model === model && c.status === 200).length;
  assert.deepEqual(
    { plan: answered('gpt-4o'), work: answered('claude-haiku-4-5'), wrap: answered('gpt-4o-mini') },
    { plan: 1, work: 4, wrap: 1 },
    'each step (and each item) was answered exactly once',
  );
  const children = await pipelineChildren(h.client, workflowId);
  assert.deepEqual(
    children.map((c) => c.workflowId),
    ['plan', 'work/0', 'work/1', 'work/2', 'work/3', 'wrap'].map((s) => `${workflowId}/${s}`),
  );
  assert.ok(children.every((c) => c.status === 'COMPLETED'));
  // The two calls the stop cut off were made again by the new worker: retried, not repeated.
  const cutOff = h.emulator.calls().filter((c) => c.status !== 200);
  assert.deepEqual(
    cutOff.map((c) => [c.model, c.status]),
    [
      ['claude-haiku-4-5', 'aborted'],
      ['claude-haiku-4-5', 'aborted'],
    ],
  );
  console.log(
    `restart: completed ${resumedMs} ms after the stop; ${cutOff.length} provider calls were cut off by it`,
  );
});
