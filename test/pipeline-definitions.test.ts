// Pipeline definitions without a server: the reference syntax, the checks a definition gets at load
// (errors naming the file and the field), and the dependency waves of forEach items.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: pipeline references are written as ${...} strings
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bind, blobRefsIn, materialize, parseParts } from '../common/pipelines/expressions.js';
import { compilePipeline } from '../common/pipelines/plan.js';
import type { PipelineDefinition } from '../common/pipelines/types.js';
import type { JsonValue } from '../common/request.js';
import { checkPipelineDefinition, loadPipelineByName } from '../core/pipelines/load.js';
import { dependencyWaves } from '../workflows/pipelineWaves.js';

const scope: JsonValue = {
  input: { requirement: 'Build a todo API', count: 3 },
  steps: {
    analyse: { output: { tasks: [{ title: 'Schema' }, { title: 'Routes', tags: ['http'] }] } },
    implement: { output: ['a = 1', null, 'b = 2'] },
  },
  item: { title: 'Routes' },
  index: 1,
};

describe('references', () => {
  it('a whole-string reference keeps the JSON type; inside text values become text', () => {
    assert.deepEqual(bind('${steps.analyse.output.tasks}', scope), [
      { title: 'Schema' },
      { title: 'Routes', tags: ['http'] },
    ]);
    assert.equal(bind('${input.count}', scope), 3);
    assert.equal(bind('${index}', scope), 1);
    assert.equal(bind('Task ${index}: ${item.title} (${input.count})', scope), 'Task 1: Routes (3)');
    assert.equal(bind('tags ${steps.analyse.output.tasks[1].tags}', scope), 'tags [\n  "http"\n]');
    assert.deepEqual(bind({ list: ['${item.title}', 'x'] }, scope), { list: ['Routes', 'x'] });
  });

  it('join turns an array into text, skipping nulls; $${ is a literal', () => {
    assert.equal(bind('${steps.implement.output | join}', scope), 'a = 1\n\nb = 2');
    assert.equal(bind('${ steps.implement.output | join: ", " }', scope), 'a = 1, b = 2');
    assert.equal(bind('cost: $${input.count}', scope), 'cost: ${input.count}');
  });

  it('a reference that finds nothing says what is there instead', () => {
    assert.throws(
      () => bind('${item.titel}', scope),
      /\$\{item.titel\} refers to nothing: item has no field "titel" \(it has: title\)/,
    );
    assert.throws(() => bind('${steps.analyse.output.tasks[5]}', scope), /has 2 element\(s\), no \[5\]/);
    assert.throws(() => bind('${input.requirement | join}', scope), /"join" needs an array, got a string/);
  });

  it('syntax errors name the position; there is nothing to evaluate', () => {
    assert.throws(() => parseParts('${input.}'), /expected a field name after "." at character 9/);
    assert.throws(() => parseParts('${input.a'), /missing "\}"/);
    assert.throws(() => parseParts('${input.a | upper}'), /the only filter is "join"/);
    assert.throws(() => parseParts('${process.exit(1)}'), /unexpected "\("/);
  });

  it('values inside a blob stay lazy until the blob is loaded', () => {
    const lazyScope: JsonValue = {
      steps: {
        analyse: { output: { $ref: 'blob:abc' } },
        implement: { output: ['x', { $ref: 'blob:def' }] },
      },
    };
    const bound = bind(
      {
        title: '${steps.analyse.output.tasks[0].title}',
        text: 'Do ${steps.analyse.output.tasks[1].title}!',
        code: '${steps.implement.output | join}',
      },
      lazyScope,
    );
    assert.deepEqual(bound, {
      title: { $ref: 'blob:abc', $path: ['tasks', 0, 'title'] },
      text: { $concat: ['Do ', { $ref: 'blob:abc', $path: ['tasks', 1, 'title'] }, '!'] },
      code: { $join: ['x', { $ref: 'blob:def' }], $separator: '\n\n' },
    });
    assert.deepEqual(blobRefsIn(bound).sort(), ['blob:abc', 'blob:def']);
    const blobs = new Map<string, JsonValue>([
      ['blob:abc', { tasks: [{ title: 'Schema' }, { title: 'Routes' }] }],
      ['blob:def', 'y = 2'],
    ]);
    assert.deepEqual(materialize(bound, blobs), { title: 'Schema', text: 'Do Routes!', code: 'x\n\ny = 2' });
  });
});

const minimal = (steps: PipelineDefinition['steps']): PipelineDefinition => ({
  name: 'p',
  requiredInputs: ['requirement'],
  steps,
});

describe('checking a definition', () => {
  it('infers needs from references and orders steps after what they need', () => {
    const result = compilePipeline(
      minimal([
        {
          name: 'document',
          taskType: 't',
          template: 'x',
          variables: { code: '${steps.implement.output | join}' },
        },
        {
          name: 'implement',
          taskType: 't',
          template: 'x',
          variables: { r: '${steps.analyse.output}' },
          needs: [],
        },
        { name: 'analyse', taskType: 't', template: 'x', variables: { r: '${input.requirement}' } },
        { name: 'review', approval: { timeoutSeconds: 60, default: 'reject' }, needs: ['analyse'] },
      ]),
    );
    assert.ok(result.ok);
    assert.deepEqual(
      result.compiled.order.map((s) => [s.step.name, s.needs]),
      [
        ['analyse', []],
        ['implement', ['analyse']],
        ['document', ['implement']],
        ['review', ['analyse']],
      ],
    );
  });

  it('reports unknown steps, undeclared inputs, misplaced item and cycles with their fields', () => {
    const result = compilePipeline(
      minimal([
        {
          name: 'a',
          taskType: 't',
          template: 'x',
          variables: { v: '${steps.nope.output}', w: '${input.other}' },
        },
        { name: 'b', taskType: 't', template: 'x', variables: { v: '${item.title}' }, needs: ['ghost'] },
      ]),
    );
    assert.ok(!result.ok);
    const byField = Object.fromEntries(result.problems.map((p) => [p.field, p.message]));
    assert.match(byField['steps[0].variables.v'] ?? '', /"nope" is not a step \(a, b\)/);
    assert.match(byField['steps[0].variables.w'] ?? '', /input "other" is not declared/);
    assert.match(byField['steps[1].variables.v'] ?? '', /only in the variables of a forEach step/);
    assert.match(byField['steps[1].needs'] ?? '', /needs "ghost", which is not a step/);

    const cyclic = compilePipeline(
      minimal([
        { name: 'a', taskType: 't', template: 'x', variables: { v: '${steps.b.output}' } },
        { name: 'b', taskType: 't', template: 'x', needs: ['a'] },
      ]),
    );
    assert.ok(!cyclic.ok);
    assert.match(cyclic.problems[0]?.message ?? '', /steps form a cycle: a needs b needs a/);
  });

  it('the schema names the field: a missing template, a bad policy, an unknown key', () => {
    const result = checkPipelineDefinition({
      name: 'p',
      steps: [
        { name: 'a', taskType: 't' },
        { name: 'b', taskType: 't', template: 'x', onFailure: 'retry', colour: 'red' },
        { name: 'c', approval: { timeoutSeconds: 10 } },
      ],
    });
    assert.ok(!result.ok);
    const messages = result.problems.map((p) => p.message);
    assert.ok(messages.includes('steps[0].template is required'), messages.join('\n'));
    assert.ok(
      messages.includes('steps[1].onFailure must be "fail", "skip" or { fallback: <value> }'),
      messages.join('\n'),
    );
    assert.ok(messages.includes('steps[1].colour is not a known field'), messages.join('\n'));
    assert.ok(messages.includes('steps[2].approval.default is required'), messages.join('\n'));
  });
});

describe('pipeline files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pipelines-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the shipped requirement_to_code loads', async () => {
    const definition = await loadPipelineByName(
      join(import.meta.dirname, '..', 'pipelines'),
      'requirement_to_code',
    );
    assert.deepEqual(
      definition.steps.map((s) => s.name),
      ['analyse', 'implement', 'document'],
    );
  });

  it('a bad file is refused with its path and the field at fault', async () => {
    await writeFile(
      join(dir, 'broken.yaml'),
      'name: broken\nsteps:\n  - name: a\n    taskType: t\n    template: x\n    forEach: { items: "${input.list}", concurrency: 0 }\n',
    );
    await assert.rejects(loadPipelineByName(dir, 'broken'), (error: Error & { type?: string }) => {
      assert.equal(error.type, 'ConfigError');
      assert.match(error.message, /broken\.yaml: /);
      assert.match(error.message, /steps\[0\]\.forEach\.concurrency must be >= 1/);
      return true;
    });
    await writeFile(
      join(dir, 'misnamed.yaml'),
      'name: other\nsteps: [{ name: a, taskType: t, template: x }]\n',
    );
    await assert.rejects(
      loadPipelineByName(dir, 'misnamed'),
      /misnamed\.yaml: name is "other" but the file is misnamed\.yaml/,
    );
    await assert.rejects(
      loadPipelineByName(dir, 'absent'),
      /no pipeline "absent" in .*; known pipelines: broken, misnamed/,
    );
  });
});

describe('dependency waves', () => {
  const fields = { from: 'from_task', to: 'to_task' };
  const keys = ['api', 'db', 'ui', 'docs'];

  it('runs an item after everything it depends on, independent items together', () => {
    const result = dependencyWaves(
      keys,
      [
        { from_task: 'db', to_task: 'api' },
        { from_task: 'api', to_task: 'ui' },
        { from_task: 'db', to_task: 'ui' },
      ],
      fields,
    );
    assert.deepEqual(result, { ok: true, waves: [[1, 3], [0], [2]], warnings: [] });
  });

  it('ignores edges naming unknown items, with a warning, or fails when told to', () => {
    const edges = [{ from_task: 'db', to_task: 'cache' }];
    const ignored = dependencyWaves(keys, edges, fields);
    assert.ok(ignored.ok);
    assert.deepEqual(ignored.waves, [[0, 1, 2, 3]]);
    assert.match(ignored.warnings[0] ?? '', /names no item: "cache"; ignored/);
    const strict = dependencyWaves(keys, edges, fields, 'fail');
    assert.ok(!strict.ok && strict.reason === 'unknown');
  });

  it('names the items of a cycle', () => {
    const result = dependencyWaves(
      keys,
      [
        { from_task: 'api', to_task: 'ui' },
        { from_task: 'ui', to_task: 'api' },
      ],
      fields,
    );
    assert.ok(!result.ok);
    assert.equal(result.reason, 'cycle');
    assert.match(result.message, /cycle: "api" waits for "ui" waits for "api"/);
  });
});
