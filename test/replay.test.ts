// Replay: every recorded history in test/histories/ replays against the current workflow code (so a
// change that breaks determinism fails CI), a deliberately non-deterministic change is caught with a
// DeterminismViolationError, and the same change behind patched() replays (docs/determinism.md).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { readHistoryDir, replayCommand, replayHistories } from '../cli/replay.js';
import { projectRoot } from '../config/paths.js';
import { runInProcess } from './support/cli.js';

// The replay worker would also log every divergence this file provokes on purpose.
Runtime.install({ logger: new DefaultLogger('ERROR') });

const historiesDir = join(projectRoot, 'test', 'histories');
// Inside the project, so the bundler resolves @temporalio/workflow from the altered copies.
mkdirSync(join(projectRoot, '.data'), { recursive: true });
const scratch = mkdtempSync(join(projectRoot, '.data', 'replay-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * A workflows module that is the current code except that one workflow (llmRequest unless told)
 * first calls one more activity (`extraStep`, e.g. a new check before rendering) — the kind of edit
 * that breaks running requests.
 */
function workflowsWith(name: string, extraStep: string, workflow = 'llmRequest'): string {
  const path = join(scratch, `${name}.ts`);
  const workflows = join(projectRoot, 'workflows');
  writeFileSync(
    path,
    `import { patched, proxyActivities } from '@temporalio/workflow';
export * from '${workflows}/index.js';
import { ${workflow} as current } from '${workflows}/index.js';
const { planRoute } = proxyActivities({ startToCloseTimeout: '1 minute' });
export async function ${workflow}(request, ...rest) {
  ${extraStep}
  return current(request, ...rest);
}
`,
  );
  return path;
}

/** The CLI as an operator or CI runs it, in its own process: exit code and what it printed. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout }));
  });
}

const historiesOf = (kind: string) =>
  readHistoryDir(historiesDir).filter((h) => h.name === `${kind}.json` || h.name.startsWith(`${kind}--`));
const successHistories = () => historiesOf('success');

describe('recorded histories', () => {
  it('every history in test/histories replays against the current workflow code', async () => {
    const histories = readHistoryDir(historiesDir);
    for (const kind of [
      'success',
      'retry',
      'fallback',
      'repair',
      'failed',
      'context',
      'cache-hit',
      'pipeline',
      'agent',
    ])
      assert.ok(
        histories.some((h) => h.name === `${kind}.json`),
        `test/histories has a ${kind} request (scripts/recordHistories.ts)`,
      );
    assert.ok(
      histories.some((h) => h.name.includes('--')),
      'children are recorded too',
    );
    const outcomes = await replayHistories(histories);
    assert.equal(outcomes.length, histories.length);
    const diverged = outcomes.flatMap((o) => (o.error ? [`${o.name}: ${o.error.message}`] : []));
    assert.deepEqual(diverged, [], 'see docs/determinism.md: change workflow logic behind patched()');
  });

  it('catches a change that adds an activity call to llmRequest, with a DeterminismViolationError', async () => {
    const histories = successHistories();
    assert.deepEqual(
      histories.map((h) => h.name),
      ['success--1-gpt-4o-mini.json', 'success.json'],
    );
    const workflowsPath = workflowsWith('unpatched', 'await planRoute({ request, messages: [] });');
    const [child, parent] = await replayHistories(histories, { workflowsPath });
    // The child workflow's code did not change: it still replays.
    assert.equal(child?.error, undefined);
    assert.ok(parent?.error instanceof DeterminismViolationError, `got ${parent?.error}`);
    assert.match(parent.error.message, /nondeterminism/i);
  });

  it('catches the same change in a request answered from the cache', async () => {
    const histories = historiesOf('cache-hit');
    assert.deepEqual(
      histories.map((h) => h.name),
      ['cache-hit.json'],
      'a cache hit starts no child',
    );
    const workflowsPath = workflowsWith('unpatched-cache', 'await planRoute({ request, messages: [] });');
    const [outcome] = await replayHistories(histories, { workflowsPath });
    assert.ok(outcome?.error instanceof DeterminismViolationError, `got ${outcome?.error}`);
  });

  it('catches a change to the pipeline workflow; its steps, unchanged, still replay', async () => {
    const histories = historiesOf('pipeline');
    assert.equal(
      histories.length,
      7,
      'the pipeline, three pipelineStep children and their modelCall children',
    );
    const workflowsPath = workflowsWith(
      'unpatched-pipeline',
      "await planRoute({ request: { taskType: 'general_qa' }, messages: [] });",
      'pipeline',
    );
    const outcomes = await replayHistories(histories, { workflowsPath });
    const failed = outcomes.filter((o) => o.error).map((o) => o.name);
    assert.deepEqual(failed, ['pipeline.json']);
    const error = outcomes.find((o) => o.name === 'pipeline.json')?.error;
    assert.ok(error instanceof DeterminismViolationError, `got ${error}`);
  });

  it('replays the same change behind patched(): recorded runs take the old path', async () => {
    const workflowsPath = workflowsWith(
      'patched',
      "if (patched('replay-test-extra-step')) await planRoute({ request, messages: [] });",
    );
    const outcomes = await replayHistories(successHistories(), { workflowsPath });
    assert.deepEqual(
      outcomes.map((o) => [o.name, o.error?.message]),
      [
        ['success--1-gpt-4o-mini.json', undefined],
        ['success.json', undefined],
      ],
    );
  });

  it('`replay --dir` exits 0 on the recorded histories, and 1 with the divergence on an altered one', async () => {
    const ok = await cli(['replay', '--dir', 'test/histories']);
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(ok.stdout, /^ok {4}success\.json$/m);
    assert.match(ok.stdout, /replayed \d+ histories: \d+ deterministic, 0 not/);

    // A history whose first model differs from what the code decides: as if the code had changed.
    const altered = join(scratch, 'altered-histories');
    mkdirSync(altered);
    const text = readFileSync(join(historiesDir, 'success.json'), 'utf8');
    assert.match(text, /"history-success\/1-gpt-4o-mini"/);
    writeFileSync(
      join(altered, 'success.json'),
      text.replaceAll('history-success/1-gpt-4o-mini', 'history-success/1-gpt-4o'),
    );
    // The same command in this process: no second start-up of the whole CLI.
    const failed = await runInProcess(() => replayCommand(), ['--dir', altered]);
    assert.equal(failed.status, 1, failed.stdout);
    assert.match(
      failed.stdout,
      /^FAIL {2}success\.json\n {6}DeterminismViolationError: .*[Nn]ondeterminism.*1-gpt-4o/m,
    );
    assert.match(failed.stdout, /replayed 1 history: 0 deterministic, 1 not/);
  });
});
