// Loading template folders: bad files are reported with their path and field while the good ones
// load; reloads swap the whole set at once; the watcher picks up edits.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { loadTemplateRegistry, type TemplateProblem } from '../core/templates/index.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'templates-load-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(relativePath: string, text: string): Promise<string> {
  const path = join(dir, relativePath);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  return path;
}

/** A valid template file; `overrides` replace or (with undefined) remove top-level lines. */
function templateYaml(
  id: string,
  version: string,
  overrides: Record<string, string | undefined> = {},
): string {
  const fields: Record<string, string | undefined> = {
    templateId: id,
    version: `"${version}"`,
    systemMessage: 'You answer questions.',
    userMessageTemplate: '"Question: {{ question }}"',
    requiredVariables: '[question]',
    optionalVariables: '{}',
    metadata: '{ description: test template }',
    ...overrides,
  };
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n');
}

function problemsAt(problems: readonly TemplateProblem[], path: string): TemplateProblem[] {
  return problems.filter((p) => p.path === path);
}

describe('loading a folder with bad files', () => {
  it('reports each bad file with its path and field, and loads the good ones', async () => {
    await write('good/1.0.yaml', templateYaml('good', '1.0'));
    const invalidYaml = await write(
      'broken_yaml/1.0.yaml',
      'templateId: broken_yaml\nversion: "1.0"\nmetadata: [unclosed\n',
    );
    const missingField = await write(
      'missing_field/1.0.yaml',
      templateYaml('missing_field', '1.0', { userMessageTemplate: undefined }),
    );
    const syntaxError = await write(
      'syntax_error/1.0.yaml',
      templateYaml('syntax_error', '1.0', {
        userMessageTemplate: '"{% if question %}Question: {{ question }}"',
      }),
    );
    const undeclared = await write(
      'undeclared/1.0.yaml',
      templateYaml('undeclared', '1.0', {
        systemMessage: '"You write for {{ audience }} about {{ topic }}."',
      }),
    );

    const registry = await loadTemplateRegistry(dir);
    assert.deepEqual(
      registry.list().map((s) => s.id),
      ['good'],
    );

    const [yamlProblem] = problemsAt(registry.problems, invalidYaml);
    assert.match(yamlProblem?.message ?? '', /invalid YAML/);

    assert.deepEqual(problemsAt(registry.problems, missingField), [
      { path: missingField, field: 'userMessageTemplate', message: 'userMessageTemplate is required' },
    ]);

    const [syntaxProblem] = problemsAt(registry.problems, syntaxError);
    assert.equal(syntaxProblem?.field, 'userMessageTemplate');
    assert.match(syntaxProblem?.message ?? '', /not valid Liquid: .*not closed/);

    const [undeclaredProblem] = problemsAt(registry.problems, undeclared);
    assert.equal(undeclaredProblem?.field, 'systemMessage');
    assert.match(undeclaredProblem?.message ?? '', /undeclared variable\(s\) audience, topic/);

    assert.equal(registry.problems.length, 4);
    assert.equal(
      registry.render({ requestId: 'r', templateId: 'good', variables: { question: 'Q' } }).messages[1]
        ?.content,
      'Question: Q',
    );
  });

  it('rejects a file whose id or version disagrees with its place on disk', async () => {
    const path = await write('right_id/1.0.yaml', templateYaml('wrong_id', '2.0'));
    const registry = await loadTemplateRegistry(dir);
    assert.deepEqual(
      problemsAt(registry.problems, path).map((p) => p.field),
      ['templateId', 'version'],
    );
  });

  it('explains an unquoted version, which YAML reads as a number', async () => {
    const path = await write('numeric/1.10.yaml', templateYaml('numeric', '1.10', { version: '1.10' }));
    const registry = await loadTemplateRegistry(dir);
    const [problem] = problemsAt(registry.problems, path);
    assert.equal(problem?.field, 'version');
    assert.match(problem?.message ?? '', /version must be string: quote it \(version: "1\.10"\)/);
  });

  it('rejects unknown fields, so a typo is not silently ignored', async () => {
    const path = await write('typo/1.0.yaml', templateYaml('typo', '1.0', { sytemMessage: 'x' }));
    const registry = await loadTemplateRegistry(dir);
    assert.deepEqual(problemsAt(registry.problems, path), [
      { path, field: 'sytemMessage', message: 'sytemMessage is not a known field' },
    ]);
  });

  it('rejects templates that would read files or the clock', async () => {
    const include = await write(
      'include/1.0.yaml',
      templateYaml('include', '1.0', { userMessageTemplate: `"{% include '/etc/passwd' %}"` }),
    );
    const render = await write(
      'render/1.0.yaml',
      templateYaml('render', '1.0', { userMessageTemplate: `"{% render 'x' %}"` }),
    );
    const clock = await write(
      'clock/1.0.yaml',
      templateYaml('clock', '1.0', { userMessageTemplate: `"{{ 'now' | date }}"` }),
    );
    const registry = await loadTemplateRegistry(dir);
    assert.match(problemsAt(registry.problems, include)[0]?.message ?? '', /\{% include %\} is not allowed/);
    assert.match(problemsAt(registry.problems, render)[0]?.message ?? '', /\{% render %\} is not allowed/);
    assert.match(problemsAt(registry.problems, clock)[0]?.message ?? '', /undefined filter: date/);
    assert.deepEqual(registry.list(), []);
  });

  it('checks variants, the output schema and the variable lists', async () => {
    const variants = await write(
      'variants/1.0.yaml',
      templateYaml('variants', '1.0', {
        variants: '[{ name: a, weight: 0 }, { name: a, weight: 0, userMessageTemplate: "{{ nope }}" }]',
      }),
    );
    const schema = await write(
      'schema/1.0.yaml',
      templateYaml('schema', '1.0', { outputFormat: 'code', schema: '{ type: strnig }' }),
    );
    const overlap = await write(
      'overlap/1.0.yaml',
      templateYaml('overlap', '1.0', { optionalVariables: '{ question: "" }' }),
    );
    const registry = await loadTemplateRegistry(dir);
    assert.deepEqual(
      problemsAt(registry.problems, variants).map((p) => p.field),
      ['variants[1].name', 'variants', 'variants[1].userMessageTemplate'],
    );
    assert.deepEqual(
      problemsAt(registry.problems, schema).map((p) => p.field),
      ['outputFormat', 'schema'],
    );
    assert.deepEqual(
      problemsAt(registry.problems, overlap).map((p) => p.field),
      ['requiredVariables[0]'],
    );
  });

  it('ignores files that are not YAML and flags YAML outside a template folder', async () => {
    await write('README.md', '# templates');
    await write('good/1.0.yaml', templateYaml('good', '1.0'));
    await write('good/notes.txt', 'not a template');
    const stray = await write('stray.yaml', templateYaml('stray', '1.0'));
    const badName = await write('good/latest.yaml', templateYaml('good', 'latest'));
    const registry = await loadTemplateRegistry(dir);
    assert.deepEqual(registry.list()[0]?.versions, ['1.0']);
    assert.deepEqual(
      registry.problems.map((p) => p.path),
      [badName, stray],
    );
  });

  it('rejects a second file for a version that compares equal', async () => {
    await write('dup/1.0.yaml', templateYaml('dup', '1.0'));
    const second = await write('dup/1.yaml', templateYaml('dup', '1'));
    const registry = await loadTemplateRegistry(dir);
    assert.deepEqual(registry.list()[0]?.versions, ['1.0']);
    assert.match(problemsAt(registry.problems, second)[0]?.message ?? '', /already defined/);
  });

  it('mentions the failed file when a lookup misses because of it', async () => {
    await write('good/1.0.yaml', templateYaml('good', '1.0'));
    const broken = await write('broken/1.0.yaml', templateYaml('broken', '1.0', { metadata: undefined }));
    const registry = await loadTemplateRegistry(dir);
    assert.throws(
      () => registry.get('broken'),
      (err: Error) => err.message.includes(`${broken} failed to load`),
    );
  });

  it('fails with a ConfigError when the folder cannot be read', async () => {
    await assert.rejects(loadTemplateRegistry(join(dir, 'missing')), { type: 'ConfigError' });
  });
});

describe('reloading', () => {
  it('swaps in new versions without changing what was already rendered', async () => {
    await write('qa/1.0.yaml', templateYaml('qa', '1.0'));
    const registry = await loadTemplateRegistry(dir);
    const before = registry.render({ requestId: 'r', templateId: 'qa', variables: { question: 'Q' } });

    await write('qa/1.1.yaml', templateYaml('qa', '1.1', { userMessageTemplate: '"Q1.1: {{ question }}"' }));
    await registry.reload();
    const after = registry.render({ requestId: 'r', templateId: 'qa', variables: { question: 'Q' } });

    assert.equal(before.version, '1.0');
    assert.equal(before.messages[1]?.content, 'Question: Q');
    assert.equal(after.version, '1.1');
    assert.equal(after.messages[1]?.content, 'Q1.1: Q');
  });

  it('keeps serving the old set when nothing in the new one loads', async () => {
    const path = await write('qa/1.0.yaml', templateYaml('qa', '1.0'));
    const registry = await loadTemplateRegistry(dir);
    await writeFile(path, 'templateId: [');
    await assert.rejects(registry.reload(), { type: 'ConfigError' });
    assert.equal(registry.get('qa').version, '1.0');
    assert.deepEqual(registry.problems, []);
  });

  it('keeps serving the old set when the folder disappears', async () => {
    await write('qa/1.0.yaml', templateYaml('qa', '1.0'));
    const registry = await loadTemplateRegistry(dir);
    await rm(dir, { recursive: true });
    await assert.rejects(registry.reload(), { type: 'ConfigError' });
    assert.equal(registry.get('qa').version, '1.0');
  });

  it('reports a broken file after a reload while the rest of the new set serves', async () => {
    await write('qa/1.0.yaml', templateYaml('qa', '1.0'));
    const registry = await loadTemplateRegistry(dir);
    const broken = await write(
      'qa/1.1.yaml',
      templateYaml('qa', '1.1', { userMessageTemplate: '"{{ question "' }),
    );
    await registry.reload();
    assert.equal(registry.get('qa').version, '1.0');
    assert.deepEqual(
      registry.problems.map((p) => p.path),
      [broken],
    );
  });

  it('reloads when a file in the folder changes, while watching', async () => {
    await write('qa/1.0.yaml', templateYaml('qa', '1.0'));
    const registry = await loadTemplateRegistry(dir);
    const reloaded = new Promise<void>((resolve, reject) => {
      const stop = registry.watch({
        debounceMs: 20,
        onReload: () => {
          if (registry.list()[0]?.latest !== '2.0') return;
          stop();
          resolve();
        },
        onError: reject,
      });
      setTimeout(() => {
        stop();
        reject(new Error('no reload within 5 s'));
      }, 5000).unref();
    });
    await write('qa/2.0.yaml', templateYaml('qa', '2.0'));
    await reloaded;
    assert.equal(registry.get('qa').version, '2.0');
  });
});
