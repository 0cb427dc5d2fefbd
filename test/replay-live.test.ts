// `llm-orchestrator replay <workflowId>` on a live server: the request's history and its children's
// are fetched from TEMPORAL_ADDRESS and replayed against the current code.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { replayCommand } from '../cli/replay.js';
import { projectRoot } from '../config/paths.js';
import { runInProcess } from './support/cli.js';
import { type Harness, requestId, startHarness } from './support/harness.js';

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
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

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.stop();
});

describe('llm-orchestrator replay <workflowId>', () => {
  it('fetches a request and its children (one per model fallen back to) and replays them: exit 0', async () => {
    const id = requestId('replay-live');
    h.emulator.addFault({ model: 'gpt-4o', status: 401, times: 1 });
    await h.client.process({
      requestId: id,
      taskType: 'general_qa',
      templateId: 'general_qa',
      variables: { question: 'Does replay see my children?' },
      model: 'gpt-4o',
    });
    const run = await cli(['replay', id], { TEMPORAL_ADDRESS: h.env.address });
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, new RegExp(`^ok {4}${id}$`, 'm'));
    // The first model ran in the request's own history (the fast path); the fallback is a child.
    assert.match(run.stdout, new RegExp(`^ok {4}${id}/2-\\S+$`, 'm'));
    assert.match(run.stdout, /replayed 2 histories: 2 deterministic, 0 not/);
  });

  it('--no-children replays the request alone; an unknown id fails with exit 1', async () => {
    const id = requestId('replay-alone');
    await h.client.process({
      requestId: id,
      taskType: 'general_qa',
      templateId: 'general_qa',
      variables: { question: 'Alone?' },
      model: 'gpt-4o-mini',
    });
    // In this process (the child-process run is the test above): the same command object.
    const env = { TEMPORAL_ADDRESS: h.env.address };
    const alone = await runInProcess(() => replayCommand(), [id, '--no-children'], env);
    assert.equal(alone.status, 0, alone.stdout);
    assert.match(alone.stdout, /replayed 1 history: 1 deterministic, 0 not/);
    // An unknown id throws, which the CLI's main prints and exits 1 on.
    await assert.rejects(runInProcess(() => replayCommand(), ['no-such-request'], env));
  });
});
