// Load drill: a 200-step agent (199 rounds of tool calls, then an answer). It continues as new every
// STEPS_PER_RUN steps carrying the conversation by reference, so no run's history nears Temporal's
// limits (50k events, 50 MB); the drill prints the largest history it reached.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { AgentRunResult } from '../../common/agents/types.js';
import { STEPS_PER_RUN } from '../../workflows/agent.js';
import { type Harness, requestId, startHarness } from '../support/harness.js';

const STEPS = 200;
const dir = mkdtempSync(join(tmpdir(), 'agent-long-'));
let h: Harness;

before(async () => {
  const script = { repeat: [{ name: 'calculator', arguments: { expression: '19 * 21' } }], times: STEPS - 1 };
  const instructions = `Compute, again and again. <<emulator:script=${JSON.stringify(script)}>>`;
  writeFileSync(
    join(dir, 'marathon.yaml'),
    `instructions: ${JSON.stringify(instructions)}\nmodel: gpt-4o-mini\ntools: [calculator]\nlimits: { maxSteps: ${STEPS}, deadlineSeconds: 3600 }\n`,
  );
  h = await startHarness({ worker: { agentsDir: dir } });
  h.emulator.setLatency({ fixedMs: 1 });
});
after(async () => {
  await h?.stop();
});

it(`a ${STEPS}-step agent completes within Temporal's history limits`, { timeout: 1_500_000 }, async () => {
  const runId = requestId('marathon');
  const result = (await h.env.client.workflow
    .execute('agent', {
      taskQueue: h.taskQueue,
      workflowId: runId,
      args: [{ agentId: 'marathon', input: 'go', runId }],
      workflowExecutionTimeout: '25 minutes',
    })
    .catch((error) => {
      let cause = error;
      while (cause?.cause) cause = cause.cause;
      throw new Error(`the agent failed: ${cause?.type ?? ''} ${cause?.message ?? cause}`);
    })) as AgentRunResult;
  assert.equal(result.stopReason, 'final');
  assert.equal(result.steps.length, STEPS);
  assert.equal(result.continuedRuns, Math.floor((STEPS - 1) / STEPS_PER_RUN));
  assert.ok(result.steps.slice(0, -1).every((s) => s.toolCalls[0]?.summary === '{"result":399}'));

  let largest = { events: 0, bytes: 0 };
  for await (const run of h.env.client.workflow.list({ query: `WorkflowId = "${runId}"` })) {
    const { historyLength, historySize = 0 } = await h.env.client.workflow
      .getHandle(runId, run.runId)
      .describe();
    if (historySize > largest.bytes) largest = { events: historyLength, bytes: historySize };
  }
  // One step's own history is a child's; the agent's largest run stays far below the limits.
  console.log(
    `# ${STEPS}-step agent: ${result.continuedRuns + 1} runs, largest history ${largest.events} events, ${largest.bytes} bytes`,
  );
  assert.ok(largest.events > 0 && largest.events < 10_000);
  assert.ok(largest.bytes < 10 * 1024 * 1024);
});
