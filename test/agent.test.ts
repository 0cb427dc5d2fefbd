// The agent loop end to end: a real dev server, the emulator driving the tool calls by a script, a
// TypeScript tool with its own side-effect log, and a real third-party MCP server (the official
// filesystem server from npm) over stdio. The agent is started by name from a raw Temporal client.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import type { AgentRunInput, AgentRunResult, AgentStatus } from '../common/agents/types.js';
import type { LlmResult } from '../common/request.js';
import { type Backend, type CostControls, createBackend } from '../core/backend.js';
import type { AgentTool } from '../core/tools/types.js';
import { type Harness, requestId, startHarness } from './support/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'agent-test-'));
const files = join(dir, 'files');
const agentsDir = join(dir, 'agents');
const sideEffects = join(dir, 'notes.log');

/** A tool whose every run leaves a line in a log, so a test can count runs. */
const recordNote: AgentTool = {
  name: 'record_note',
  description: 'Records a note for later.',
  inputSchema: {
    type: 'object',
    properties: { text: { type: 'string' } },
    required: ['text'],
    additionalProperties: false,
  },
  run: async (input, ctx) => {
    appendFileSync(
      sideEffects,
      `${ctx.runId} ${ctx.step} ${ctx.callId} ${(input as { text: string }).text}\n`,
    );
    return { recorded: true };
  },
};

const failing: AgentTool = {
  name: 'always_fails',
  description: 'Throws.',
  inputSchema: { type: 'object', properties: {} },
  run: async () => {
    throw new Error('the printer is on fire');
  },
};

const script = (rounds: unknown): string => `<<emulator:script=${JSON.stringify(rounds)}>>`;

function writeAgent(id: string, yaml: string): void {
  writeFileSync(join(agentsDir, `${id}.yaml`), yaml);
}

let h: Harness;
let backend: Backend;
let controls: CostControls;

before(async () => {
  for (const d of [files, agentsDir]) (await import('node:fs')).mkdirSync(d, { recursive: true });
  writeFileSync(join(files, 'inventory.txt'), 'apples: 17\npears: 4\n');
  h = await startHarness({ worker: false });
  backend = createBackend({ limits: { providers: {}, models: {} } });
  controls = backend.costControls;
  await h.startWorker({
    costControls: controls,
    tools: [recordNote, failing],
    mcpServers: {
      files: { command: 'mcp-server-filesystem', args: [files] },
      down: { command: join(dir, 'no-such-server') },
    },
    agentsDir,
  });
  h.emulator.setLatency({ fixedMs: 2 });
});
after(async () => {
  await h?.stop();
  await backend?.close();
});

function run(input: Omit<AgentRunInput, 'runId'>, runId = requestId('agent')): Promise<AgentRunResult> {
  return h.env.client.workflow.execute('agent', {
    taskQueue: h.taskQueue,
    workflowId: runId,
    args: [{ ...input, runId }],
  });
}

describe('agent', () => {
  it('completes a multi-step task with a TypeScript tool, a built-in tool and a real MCP server; usage and cost equal the ledger', async () => {
    const rounds = [
      [
        { name: 'calculator', arguments: { expression: '(17 + 4) * 2' } },
        { name: 'files__read_text_file', arguments: { path: join(files, 'inventory.txt') } },
      ],
      [{ name: 'record_note', arguments: { text: 'apples+pears=21' } }],
    ];
    writeAgent(
      'inventory',
      `instructions: "Count the fruit. ${script(rounds).replace(/"/g, '\\"')}"\nmodel: gpt-4o-mini\ntools: [calculator, record_note, "mcp:files"]\n`,
    );
    const runId = requestId('inventory');
    const result = await run({ agentId: 'inventory', input: 'How many fruit are there?' }, runId);
    assert.equal(result.stopReason, 'final');
    assert.equal(result.steps.length, 3);
    assert.deepEqual(
      result.steps.map((s) => s.toolCalls.map((c) => c.name)),
      [['calculator', 'files__read_text_file'], ['record_note'], []],
    );
    const [calc, read] = result.steps[0]?.toolCalls ?? [];
    assert.match(calc?.summary ?? '', /42/);
    assert.match(read?.summary ?? '', /apples: 17/);
    assert.match(result.output, /record_note returned/);
    // The tool ran once, for this run's step 2.
    const lines = readFileSync(sideEffects, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith(runId));
    assert.equal(lines.length, 1);

    // The history shows each model call (a child per step) and each tool activity, named.
    const history = await h.env.client.workflow.getHandle(runId).fetchHistory();
    const children = (history.events ?? []).filter(
      (e) => e.startChildWorkflowExecutionInitiatedEventAttributes,
    );
    assert.deepEqual(
      children.map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId),
      [1, 2, 3].map((n) => `${runId}/step-${n}`),
    );
    const tools = (history.events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runAgentTool',
    );
    assert.equal(tools.length, 3);

    // Usage and cost: the ledger's entries for the steps' requests add up to the result.
    let units = 0;
    let tokens = 0;
    for (const step of result.steps) {
      const totals = await controls.usage.requestTotals(step.requestId);
      assert.ok(totals, `the ledger has ${step.requestId}`);
      units += Math.round(totals.costUsd * 1e8);
      tokens += totals.inputTokens + totals.outputTokens;
    }
    assert.ok(result.costUsd > 0);
    assert.equal(Math.round(result.costUsd * 1e8), units);
    assert.equal(result.usage.totalTokens, tokens);
  });

  it('an unknown tool or bad arguments are re-asked by the step itself; a tool that throws is told to the model', async () => {
    const rounds = [
      [
        { name: 'no_such_tool', arguments: {} },
        { name: 'calculator', arguments: { expr: 2 } },
      ],
      [
        { name: 'calculator', arguments: { expression: '6 * 7' } },
        { name: 'always_fails', arguments: {} },
      ],
    ];
    writeAgent(
      'clumsy',
      `instructions: "${script(rounds).replace(/"/g, '\\"')}"\nmodel: gpt-4o-mini\ntools: [calculator, always_fails]\nlimits: { toolAttempts: 2 }\n`,
    );
    const result = await run({ agentId: 'clumsy', input: 'try things' });
    assert.equal(result.stopReason, 'final');
    const calls = result.steps[0]?.toolCalls ?? [];
    assert.deepEqual(
      calls.map((c) => [c.name, c.isError, c.errorType]),
      [
        ['calculator', false, undefined],
        ['always_fails', true, 'ToolExecutionError'],
      ],
    );
    assert.match(calls[0]?.summary ?? '', /42/);
    assert.match(calls[1]?.error ?? '', /printer is on fire/);
    // The step's own request re-asked the model once, telling it what was wrong with its calls.
    const step = (await h.env.client.workflow
      .getHandle(result.steps[0]?.requestId ?? '')
      .result()) as LlmResult;
    const failed = step.attempts.filter((a) => a.outcome === 'failed');
    assert.equal(failed.length, 1);
    assert.match(failed[0]?.error ?? '', /no_such_tool/);
  });

  it('fails the run, typed, when onToolError is fail', async () => {
    const rounds = [[{ name: 'always_fails', arguments: {} }]];
    writeAgent(
      'strict',
      `instructions: "${script(rounds).replace(/"/g, '\\"')}"\nmodel: gpt-4o-mini\ntools: [always_fails]\nonToolError: fail\nlimits: { toolAttempts: 1 }\n`,
    );
    await assert.rejects(run({ agentId: 'strict', input: 'go' }), (error: unknown) => {
      assert.ok(error instanceof WorkflowFailedError);
      assert.equal((error.cause as { type?: string }).type, 'AgentToolFailedError');
      return true;
    });
  });

  it('fails typed when an MCP server is down, and an unknown agent or bad input is refused', async () => {
    writeAgent('downstream', 'instructions: hi\nmodel: gpt-4o-mini\ntools: ["mcp:down"]\n');
    const typeOf = async (p: Promise<unknown>) => {
      try {
        await p;
        return 'completed';
      } catch (error) {
        return ((error as WorkflowFailedError).cause as { type?: string }).type;
      }
    };
    assert.equal(await typeOf(run({ agentId: 'downstream', input: 'go' })), 'McpServerError');
    assert.equal(await typeOf(run({ agentId: 'nobody', input: 'go' })), 'AgentDefinitionError');
    writeAgent('broken', 'instructions: hi\ntools: [calculator]\nlimits: { maxSteps: -1 }\n');
    const broken = run({ agentId: 'broken', input: 'go' });
    await assert.rejects(broken, (error: unknown) => {
      const cause = (error as WorkflowFailedError).cause as { type?: string; message: string };
      assert.equal(cause.type, 'AgentDefinitionError');
      assert.match(cause.message, /broken\.yaml: limits\.maxSteps/);
      return true;
    });
    assert.equal(await typeOf(run({ agentId: 'calc', input: '' } as never)), 'InvalidRequestError');
  });

  it('waits for approval: approve runs the tool, reject tells the model, a timeout takes the default', async () => {
    const rounds = [[{ name: 'record_note', arguments: { text: 'needs a yes' } }]];
    const yaml = (timeout: number, fallback: string) =>
      `instructions: "${script(rounds).replace(/"/g, '\\"')}"\nmodel: gpt-4o-mini\ntools: [record_note]\napprovals:\n  record_note: { timeoutSeconds: ${timeout}, default: ${fallback} }\n`;
    writeAgent('careful', yaml(600, 'reject'));
    writeAgent('hasty', yaml(1, 'reject'));

    const decide = async (approve: boolean) => {
      const runId = requestId('careful');
      const handle = await h.env.client.workflow.start('agent', {
        taskQueue: h.taskQueue,
        workflowId: runId,
        args: [{ agentId: 'careful', input: 'note it', runId }],
      });
      let status: AgentStatus;
      do status = await handle.query<AgentStatus>('agentStatus');
      while (status.pendingApprovals.length === 0);
      const callId = status.pendingApprovals[0]?.callId ?? '';
      await assert.rejects(
        handle.executeUpdate('approveTool', { args: [{ callId: 'nope', approve: true }] }),
        (error: Error) => /not awaiting approval/.test(String((error.cause as Error | undefined)?.message)),
      );
      await handle.executeUpdate('approveTool', {
        args: [{ callId, approve, reason: 'checked', by: 'ops' }],
      });
      return { runId, result: (await handle.result()) as AgentRunResult };
    };
    const approved = await decide(true);
    const call = approved.result.steps[0]?.toolCalls[0];
    assert.equal(call?.isError, false);
    assert.deepEqual(call?.approval, { approved: true, timedOut: false, reason: 'checked', by: 'ops' });
    assert.equal(
      readFileSync(sideEffects, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith(approved.runId)).length,
      1,
    );

    const rejected = await decide(false);
    assert.equal(rejected.result.steps[0]?.toolCalls[0]?.errorType, 'ToolRejectedError');
    assert.equal(
      readFileSync(sideEffects, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith(rejected.runId)).length,
      0,
    );

    const timedOut = await run({ agentId: 'hasty', input: 'note it' });
    const late = timedOut.steps[0]?.toolCalls[0];
    assert.equal(late?.errorType, 'ToolRejectedError');
    assert.equal(late?.approval?.timedOut, true);
  });

  it("calls another agent as a tool: a child agent workflow whose usage and cost are the parent's too", async () => {
    writeAgent(
      'helper',
      `description: Does sums\ninstructions: "${script([[{ name: 'calculator', arguments: { expression: '6 * 7' } }]]).replace(/"/g, '\\"')}"\nmodel: gpt-4o-mini\ntools: [calculator]\n`,
    );
    writeAgent(
      'manager',
      `instructions: "${script([[{ name: 'agent__helper', arguments: { input: 'what is 6 * 7?' } }]]).replace(/"/g, '\\"')}"\nmodel: gpt-4o-mini\ntools: ["agent:helper"]\n`,
    );
    const runId = requestId('manager');
    const result = await run({ agentId: 'manager', input: 'delegate it' }, runId);
    assert.equal(result.stopReason, 'final');
    const call = result.steps[0]?.toolCalls[0];
    assert.equal(call?.name, 'agent__helper');
    assert.match(call?.summary ?? '', /calculator returned \{"result":42\}/);
    const child = (await h.env.client.workflow.getHandle(`${runId}/agent-1-1`).result()) as AgentRunResult;
    assert.equal(child.steps.length, 2);
    const own = result.steps.reduce((sum, s) => sum + Math.round(s.costUsd * 1e8), 0);
    assert.equal(Math.round(result.costUsd * 1e8), own + Math.round(child.costUsd * 1e8));
    assert.equal(
      result.usage.totalTokens,
      result.steps.reduce((sum, s) => sum + s.usage.totalTokens, 0) + child.usage.totalTokens,
    );
  });
});
