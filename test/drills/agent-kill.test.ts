// Failure drill: an agent's worker killed -9 during a tool call and, on its replacement, during a
// model call. The agent completes on the next worker; every tool call that completed before a kill
// ran exactly once (the tool's own log shows it); the interrupted one ran again and completed once.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { startWorkerProcess, type WorkerProcess } from '../../bench/workerProcess.js';
import type { AgentRunResult } from '../../common/agents/types.js';
import { projectRoot } from '../../config/paths.js';
import { type Harness, requestId, startHarness } from '../support/harness.js';
import { until } from '../support/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'agent-drill-'));
const logFile = join(dir, 'tools.log');
let h: Harness;
const workers: WorkerProcess[] = [];

before(async () => {
  h = await startHarness({ worker: false });
  writeFileSync(logFile, '');
  const rounds = [
    [{ name: 'record_note', arguments: { text: 'a' } }],
    [{ name: 'record_note', arguments: { text: 'b', holdMs: 2500 } }],
    [{ name: 'record_note', arguments: { text: 'c' } }],
  ];
  const instructions = `Take notes. <<emulator:script=${JSON.stringify(rounds)}>>`;
  writeFileSync(
    join(dir, 'note_taker.yaml'),
    `instructions: ${JSON.stringify(instructions)}\nmodel: gpt-4o-mini\ntools: [record_note]\nlimits: { toolTimeoutSeconds: 6, toolAttempts: 5 }\n`,
  );
});
after(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await Promise.allSettled(workers.map((w) => w.exited));
  await h?.stop();
});

async function startWorker(): Promise<WorkerProcess> {
  const worker = await startWorkerProcess({
    address: h.env.address,
    taskQueue: h.taskQueue,
    emulatorUrl: h.emulator.url,
    env: {
      AGENTS_DIR: dir,
      AGENT_TOOLS_MODULE: join(projectRoot, 'test', 'fixtures', 'agentDrillTools.mjs'),
      AGENT_DRILL_LOG: logFile,
      MCP_CONFIG: join(dir, 'no-mcp.yaml'),
    },
  });
  workers.push(worker);
  return worker;
}

const lines = (): string[] => readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
const count = (line: string): number => lines().filter((l) => l === line).length;

it('kill -9 during a tool call and during a model call: the agent completes, each completed tool ran once', async () => {
  const runId = requestId('note-taker');
  const first = await startWorker();
  const handle = await h.env.client.workflow.start('agent', {
    taskQueue: h.taskQueue,
    workflowId: runId,
    args: [{ agentId: 'note_taker', input: 'take three notes', runId }],
  });

  // During a tool call: b has started and not finished.
  await until(() => count(`start ${runId} b`) === 1, 60_000, 'tool call b to start');
  first.kill('SIGKILL');
  await first.exited;
  assert.equal(count(`done ${runId} b`), 0, 'the kill landed inside the tool call');

  // During a model call: hold the provider's answers, wait for the call after c, kill again.
  h.emulator.setLatency({ fixedMs: 20_000 });
  const second = await startWorker();
  await until(() => count(`done ${runId} c`) === 1, 60_000, 'tool call c to complete');
  const pending = () => h.emulator.calls().filter((c) => c.status === 'pending').length;
  await until(() => pending() === 1, 30_000, 'the final model call to be in flight');
  second.kill('SIGKILL');
  await second.exited;
  h.emulator.setLatency({ fixedMs: 2 });
  await startWorker();

  const result = (await handle.result()) as AgentRunResult;
  assert.equal(result.stopReason, 'final');
  assert.deepEqual(
    result.steps.map((s) => s.toolCalls.map((c) => c.summary)),
    [['{"recorded":"a"}'], ['{"recorded":"b"}'], ['{"recorded":"c"}'], []],
  );
  // a and c completed once and never ran again; b was cut off once and completed once.
  assert.equal(count(`start ${runId} a`), 1);
  assert.equal(count(`done ${runId} a`), 1);
  assert.equal(count(`start ${runId} b`), 2);
  assert.equal(count(`done ${runId} b`), 1);
  assert.equal(count(`start ${runId} c`), 1);
  assert.equal(count(`done ${runId} c`), 1);
});
