// Agent pipelines end to end on a real dev server and the provider emulator: the shipped
// requirement_to_code example, dependency waves, parallel steps, model failover inside a step, and
// the failure policies.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: pipeline references are written as ${...} strings
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type PipelineChild, pipelineChildren, runPipeline } from '../client/pipelines.js';
import { failureType } from '../common/errors.js';
import type { PipelineDefinition, RequestStepDefinition, StepDefinition } from '../common/pipelines/types.js';
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

const qa = (
  name: string,
  question: string,
  extra: Partial<RequestStepDefinition> = {},
): RequestStepDefinition => ({
  name,
  taskType: 'general_qa',
  template: 'general_qa',
  variables: { question },
  model: 'gpt-4o-mini',
  ...extra,
});

const inline = (name: string, stepList: StepDefinition[]): PipelineDefinition => ({
  name,
  requiredInputs: ['topic'],
  steps: stepList,
});

const span = (child: PipelineChild): [number, number] => [
  child.startTime.getTime(),
  child.closeTime?.getTime() ?? Number.POSITIVE_INFINITY,
];

describe('the requirement_to_code example', () => {
  it('runs analysis, code for every task and documentation, each step a child with its own history', async () => {
    const result = await runPipeline(h.client, {
      pipeline: 'requirement_to_code',
      input: { requirement: 'A small REST API for todo items with user accounts' },
    });
    assert.deepEqual(Object.keys(result.outputs), ['analyse', 'implement', 'document']);
    const analysis = result.outputs.analyse as { tasks: { title: string }[]; dependencies?: unknown[] };
    assert.ok(
      Array.isArray(analysis.tasks) && analysis.tasks.length > 0,
      'the analysis is schema-valid JSON',
    );
    const code = result.outputs.implement as string[];
    assert.equal(code.length, analysis.tasks.length, 'one code_generation child per task');
    for (const piece of code) assert.ok(typeof piece === 'string' && piece.length > 0);
    assert.equal(typeof result.outputs.document, 'string');

    const byStep = Object.fromEntries(result.steps.map((s) => [s.name, s]));
    assert.equal(byStep.implement?.items?.total, analysis.tasks.length);
    const stepCost = result.steps.reduce((sum, s) => sum + s.costUsd, 0);
    assert.ok(result.costUsd > 0);
    assert.ok(Math.abs(result.costUsd - stepCost) < 1e-12, 'the total is the sum of the steps');
    const stepTokens = result.steps.reduce((sum, s) => sum + s.usage.totalTokens, 0);
    assert.equal(result.usage.totalTokens, stepTokens);
    // Calls the emulator answered: one per child (no faults were scripted).
    const answered = h.emulator.calls().filter((c) => c.status === 200);
    assert.equal(answered.length, 2 + analysis.tasks.length);

    // The client lists the parent's children from its history: one per step and item, all completed.
    const children = await pipelineChildren(h.client, result.pipelineId);
    assert.deepEqual(
      children.map((c) => c.workflowId),
      [
        `${result.pipelineId}/analyse`,
        ...analysis.tasks.map((_, i) => `${result.pipelineId}/implement/${i}`),
        `${result.pipelineId}/document`,
      ],
    );
    assert.ok(children.every((c) => c.status === 'COMPLETED' && c.workflowType === 'pipelineStep'));
    const [analyse, ...rest] = children;
    const document = rest.pop();
    assert.ok(analyse && document);
    for (const item of rest) {
      assert.ok(span(item)[0] >= span(analyse)[1], 'code generation starts after the analysis');
      assert.ok(span(document)[0] >= span(item)[1], 'documentation starts after all the code');
    }
    // Each child is a full request: render and plan, then its first model in its own history.
    const childSteps = await steps(h.env.client, `${result.pipelineId}/analyse`);
    assert.deepEqual(names(childSteps, 'localActivity').slice(0, 1), ['beginRequest']);
    assert.deepEqual(names(childSteps, 'activity'), ['invokeProvider']);
    assert.equal(names(childSteps, 'child').length, 0);
  });

  it('runs the tasks in the dependency order the analysis returned: waves, parallel within a wave', async () => {
    h.emulator.setLatency({ fixedMs: 300 });
    const breakdown = {
      tasks: [
        { title: 'Database schema', description: 'Tables', complexity: 'low', suggested_role: 'backend' },
        { title: 'REST routes', description: 'Endpoints', complexity: 'medium', suggested_role: 'backend' },
        { title: 'Auth', description: 'Login', complexity: 'medium', suggested_role: 'backend' },
        { title: 'Frontend', description: 'Pages', complexity: 'high', suggested_role: 'frontend' },
      ],
      dependencies: [
        { from_task: 'Database schema', to_task: 'REST routes' },
        { from_task: 'Auth', to_task: 'REST routes' },
        { from_task: 'REST routes', to_task: 'Frontend' },
        { from_task: 'Billing', to_task: 'Frontend' },
      ],
    };
    const result = await runPipeline(h.client, {
      pipeline: 'requirement_to_code',
      input: { requirement: `A todo app [[emulator:reply=${JSON.stringify(breakdown)}]]` },
    });
    const implement = result.steps.find((s) => s.name === 'implement');
    assert.deepEqual(implement?.items?.waves, [[0, 2], [1], [3]]);
    assert.equal(implement?.warnings.length, 1);
    assert.match(
      implement?.warnings[0] ?? '',
      /"Billing" before "Frontend".*names no item: "Billing"; ignored/,
    );

    const children = Object.fromEntries(
      (await pipelineChildren(h.client, result.pipelineId)).map((c) => [c.workflowId, span(c)]),
    );
    const item = (i: number): [number, number] => children[`${result.pipelineId}/implement/${i}`] ?? [0, 0];
    // "from_task must be finished before to_task can start".
    assert.ok(item(1)[0] >= item(0)[1] && item(1)[0] >= item(2)[1], 'REST routes waits for schema and auth');
    assert.ok(item(3)[0] >= item(1)[1], 'Frontend waits for REST routes');
    assert.ok(item(0)[0] < item(2)[1] && item(2)[0] < item(0)[1], 'schema and auth run at the same time');
  });

  it('fails the step with DependencyCycleError when the tasks depend on each other in a circle', async () => {
    const breakdown = {
      tasks: [
        { title: 'A', description: 'a', complexity: 'low', suggested_role: 'dev' },
        { title: 'B', description: 'b', complexity: 'low', suggested_role: 'dev' },
      ],
      dependencies: [
        { from_task: 'A', to_task: 'B' },
        { from_task: 'B', to_task: 'A' },
      ],
    };
    const error = await runPipeline(h.client, {
      pipeline: 'requirement_to_code',
      input: { requirement: `Cyclic [[emulator:reply=${JSON.stringify(breakdown)}]]` },
    }).then(
      () => assert.fail('the pipeline should fail'),
      (e: unknown) => e as Error,
    );
    assert.equal(failureType(error), 'PipelineStepFailedError');
    assert.match(
      error.message,
      /step "implement" failed: DependencyCycleError: .*cycle: "A" waits for "B" waits for "A"/,
    );
  });
});

describe('steps', () => {
  it('independent steps run in parallel; a step that needs both starts after them', async () => {
    h.emulator.setLatency({ fixedMs: 300 });
    const result = await runPipeline(h.client, {
      definition: inline('parallel', [
        qa('first', 'First about ${input.topic}?'),
        qa('second', 'Second about ${input.topic}?'),
        qa('both', 'Combine: ${steps.first.output} / ${steps.second.output}'),
      ]),
      input: { topic: 'workflows' },
    });
    const children = Object.fromEntries(
      (await pipelineChildren(h.client, result.pipelineId)).map((c) => [c.step, span(c)]),
    );
    const [first, second, both] = [children.first, children.second, children.both];
    assert.ok(first && second && both);
    assert.ok(first[0] < second[1] && second[0] < first[1], `first ${first} and second ${second} overlap`);
    const overlap = Math.min(first[1], second[1]) - Math.max(first[0], second[0]);
    assert.ok(overlap >= 250, `they overlap by ${overlap} ms of about 300`);
    console.log(
      `parallel: first ${first[1] - first[0]} ms, second ${second[1] - second[0]} ms, overlapping ${overlap} ms`,
    );
    assert.ok(both[0] >= Math.max(first[1], second[1]), 'the step that needs both starts after both');
    assert.match(String(result.outputs.both), /Combine: Emulated reply/);
  });

  it('a forEach runs one child per element in order, never more than its concurrency at once', async () => {
    h.emulator.setLatency({ fixedMs: 300 });
    const result = await runPipeline(h.client, {
      definition: inline('fanout', [
        qa('each', 'Part ${index}: ${item}', { forEach: { items: '${input.topic}', concurrency: 2 } }),
      ]),
      input: { topic: ['a', 'b', 'c', 'd', 'e'] },
    });
    const outputs = result.outputs.each as string[];
    assert.equal(outputs.length, 5);
    outputs.forEach((text, i) => {
      assert.match(text, new RegExp(`Part ${i}: ${'abcde'[i]}`));
    });
    // The most children open at any moment, from their start and close times.
    const moments = (await pipelineChildren(h.client, result.pipelineId)).flatMap((c) => {
      const [start, close] = span(c);
      return [
        [start, 1],
        [close, -1],
      ] as const;
    });
    moments.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let open = 0;
    let most = 0;
    for (const [, change] of moments) {
      open += change;
      most = Math.max(most, open);
    }
    assert.equal(most, 2);
  });

  it('a step whose model fails (401) falls over to another model and completes', async () => {
    h.emulator.addFault({ model: 'gpt-4o', status: 401, times: 1 });
    const result = await runPipeline(h.client, {
      definition: inline('failover', [qa('ask', 'About ${input.topic}?', { model: 'gpt-4o' })]),
      input: { topic: 'failover' },
    });
    const ask = result.steps[0];
    assert.equal(ask?.status, 'completed');
    assert.equal(ask?.models.length, 1);
    assert.notEqual(ask?.models[0], 'gpt-4o');
    const toGpt4o = h.emulator.calls().filter((c) => c.model === 'gpt-4o');
    assert.deepEqual(
      toGpt4o.map((c) => c.status),
      [401],
    );
  });

  describe('a step that fails for good', () => {
    // A 400 is not retried: each model of the chain is asked once, and then the request has failed.
    const breakEveryModel = (): void => {
      h.emulator.addFault({ model: '*', status: 400, times: 3 });
    };
    const definition = (policy: Partial<RequestStepDefinition>): PipelineDefinition =>
      inline('policies', [
        qa('broken', 'Doomed ${input.topic}?', policy),
        qa('after', 'Previous said: [${steps.broken.output}]'),
      ]);

    it('fails the pipeline by default, naming the step and the cause; later steps do not start', async () => {
      breakEveryModel();
      const error = await runPipeline(h.client, {
        definition: definition({}),
        input: { topic: 'fail' },
        pipelineId: `policy-fail-${Date.now()}`,
      }).then(
        () => assert.fail('should fail'),
        (e: unknown) => e as Error,
      );
      assert.equal(failureType(error), 'PipelineStepFailedError');
      assert.match(error.message, /step "broken" failed: AllModelsFailedError/);
      assert.equal(h.emulator.calls().filter((c) => c.status === 200).length, 0, '"after" never ran');
    });

    it('skip: the step output is null and the pipeline goes on', async () => {
      breakEveryModel();
      const result = await runPipeline(h.client, {
        definition: definition({ onFailure: 'skip' }),
        input: { topic: 'skip' },
      });
      assert.equal(result.outputs.broken, null);
      assert.equal(result.steps[0]?.status, 'skipped');
      assert.equal(result.steps[0]?.errorType, 'AllModelsFailedError');
      assert.match(String(result.outputs.after), /Previous said: \[\]/);
    });

    it('fallback: the step output is the fallback value', async () => {
      breakEveryModel();
      const result = await runPipeline(h.client, {
        definition: definition({ onFailure: { fallback: 'no answer today' } }),
        input: { topic: 'fallback' },
      });
      assert.equal(result.outputs.broken, 'no answer today');
      assert.equal(result.steps[0]?.status, 'fallback');
      assert.match(String(result.outputs.after), /Previous said: \[no answer today\]/);
    });
  });

  it('an unknown input or a bad inline definition is refused with the field named', async () => {
    const unknownInput = await runPipeline(h.client, {
      definition: inline('inputs', [qa('ask', '${input.topic}')]),
      input: { topic: 'x', topik: 'y' },
    }).then(
      () => assert.fail('should fail'),
      (e: unknown) => e as Error,
    );
    assert.equal(failureType(unknownInput), 'InvalidRequestError');
    assert.match(unknownInput.message, /has no input\(s\) topik; its inputs are topic/);

    const bad = await runPipeline(h.client, {
      definition: inline('bad', [qa('ask', '${steps.nope.output}')]),
      input: { topic: 'x' },
    }).then(
      () => assert.fail('should fail'),
      (e: unknown) => e as Error,
    );
    assert.equal(failureType(bad), 'ConfigError');
    assert.match(
      bad.message,
      /steps\[0\]\.variables\.question: \$\{steps\.nope\.output\}: "nope" is not a step/,
    );
  });
});
