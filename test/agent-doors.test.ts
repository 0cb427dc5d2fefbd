// The agent doors end to end on a real stack (dev server, emulator, Redis, worker): the typed client,
// the CLI and the HTTP API start, follow, approve and cancel agent runs, and a pipeline's agent step
// runs as a child `agent` workflow. The agents are test/fixtures/agents; the emulator's script makes
// doors_approval call the calculator, which waits for approval.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: pipeline references are written as ${...} strings
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { agentCommand } from '../cli/agent.js';
import type { AgentStreamEvent } from '../client/agentStream.js';
import { agentRun, runAgent, startAgent } from '../client/agents.js';
import { pipelineChildren, pipelineResult, startPipeline } from '../client/pipelines.js';
import type { AgentRunResult, AgentStatus } from '../common/agents/types.js';
import { failureType } from '../common/errors.js';
import type { LlmResult } from '../common/request.js';
import { drafted } from './pipeline-agent-step.test.js';
import {
  AGENT_CALLER,
  AGENT_KEY,
  type AgentStack,
  STRANGER_KEY,
  startAgentStack,
  TEST_AGENTS_DIR,
} from './support/agentStack.js';
import { runInProcess } from './support/cli.js';
import { readSse } from './support/sse.js';

let s: AgentStack;
before(async () => {
  s = await startAgentStack();
});
after(async () => {
  await s?.stop();
});

const runId = (label: string): string => `doors-${label}-${randomUUID().slice(0, 8)}`;

/** The step's own request, as the workflow recorded it: what the run's usage and cost must equal. */
const stepResult = (id: string): Promise<LlmResult> =>
  s.h.env.client.workflow.getHandle(id).result() as Promise<LlmResult>;

/** Asks until `ready` holds; each answer is a real query, nothing is timed. */
async function until(
  read: () => Promise<AgentStatus>,
  ready: (status: AgentStatus) => boolean,
): Promise<AgentStatus> {
  for (;;) {
    const status = await read().catch(() => undefined);
    if (status && ready(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `expected` appears in `seen` in this order (other events may come between). */
function assertInOrder(seen: string[], expected: string[]): void {
  let at = 0;
  for (const type of seen) if (type === expected[at]) at++;
  assert.equal(at, expected.length, `expected ${expected.join(', ')} in order, saw ${seen.join(', ')}`);
}

/** The id of the call waiting for approval, once there is one. */
async function waitingCall(id: string): Promise<string> {
  const status = await until(
    () => agentRun(s.client, id).status(),
    (st) => st.pendingApprovals.length > 0,
  );
  return status.pendingApprovals[0]?.callId as string;
}

async function http(
  method: string,
  path: string,
  options: { body?: unknown; key?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${s.base}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      authorization: `Bearer ${options.key ?? AGENT_KEY}`,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

describe('typed client', () => {
  it('runAgent returns the steps, usage and cost, equal to the step request it ran', async () => {
    const id = runId('client');
    const result = await runAgent(s.client, {
      agentId: 'doors_echo',
      input: 'What is a durable agent?',
      runId: id,
    });
    assert.equal(result.runId, id);
    assert.equal(result.stopReason, 'final');
    assert.equal(result.steps.length, 1);
    const step = await stepResult(`${id}/step-1`);
    assert.deepEqual(result.usage, step.usage);
    assert.equal(result.costUsd, step.costUsd);
    assert.equal(result.output, step.text);
    // The same id joins the same run: nothing new is asked of the model.
    const calls = s.h.emulator.calls().length;
    assert.deepEqual(await runAgent(s.client, { agentId: 'doors_echo', input: 'other', runId: id }), result);
    assert.equal(s.h.emulator.calls().length, calls);
  });

  it('refuses bad options with InvalidRequestError before starting anything', async () => {
    await assert.rejects(
      startAgent(s.client, { input: 'x' }),
      (e) => failureType(e) === 'InvalidRequestError',
    );
    await assert.rejects(
      startAgent(s.client, { agentId: 'doors_echo', input: 'x', runId: 'a/b' }),
      /may not be empty or contain "\/"/,
    );
    await assert.rejects(startAgent(s.client, { agentId: 'doors_echo', input: ' ' }), /needs an `input`/);
  });

  it('streams step_started, the step text deltas, the tool call and its approval, finished, then the result', async () => {
    const run = await startAgent(s.client, {
      agentId: 'doors_approval',
      input: 'Add 2 and 2, streamed',
      stream: true,
    });
    const events: AgentStreamEvent[] = [];
    for await (const event of run.stream()) {
      events.push(event);
      if (event.type === 'approval_requested') {
        // A mistyped call id is refused, typed, and never reaches the history.
        await assert.rejects(run.approve('call-nope'), (e) => failureType(e) !== undefined);
        const pending = await run.pendingApprovals();
        assert.deepEqual(
          pending.map((p) => [p.callId, p.tool]),
          [[event.callId, 'calculator']],
        );
        assert.deepEqual(await run.approve(event.callId, { by: 'ops', reason: 'fine' }), {
          approved: true,
          timedOut: false,
          reason: 'fine',
          by: 'ops',
        });
      }
    }
    assertInOrder(
      events.map((e) => e.type),
      [
        'step_started',
        'approval_requested',
        'approval_decided',
        'tool_called',
        'tool_result',
        'step_started',
        'delta',
        'finished',
        'result',
      ],
    );
    const last = events.at(-1) as { type: 'result'; result: AgentRunResult };
    const deltas = events.filter((e) => e.type === 'delta');
    assert.ok(
      deltas.every((d) => 'step' in d && d.step === 2),
      'the answer is step 2',
    );
    const text = deltas.map((d) => (d.type === 'delta' ? d.text : '')).join('');
    assert.equal(text, last.result.output, 'the deltas add up to the answer');
    const call = last.result.steps[0]?.toolCalls[0];
    assert.equal(call?.name, 'calculator');
    assert.equal(call?.approval?.by, 'ops');
    assert.equal(call?.isError, false);
  });

  it('cancel ends a waiting run; its result throws', async () => {
    const run = await startAgent(s.client, { agentId: 'doors_approval', input: 'Add 1 and 1' });
    await until(
      () => run.status(),
      (st) => st.stage === 'awaiting_approval',
    );
    await run.cancel();
    await assert.rejects(run.result(), /cancel/i);
    assert.equal((await run.workflow.describe()).status.name, 'CANCELLED');
  });
});

describe('CLI', () => {
  const cli = (args: string[]) => runInProcess(() => agentCommand(), args, s.cliEnv);

  it('agent run --json prints one JSON object: steps, tool calls, usage and cost', async () => {
    const id = runId('cli');
    const out = await cli(['run', 'doors_echo', '--input', 'Name one planet', '--id', id, '--json']);
    assert.equal(out.status, 0, out.stderr);
    const result = JSON.parse(out.stdout) as AgentRunResult;
    assert.equal(result.runId, id);
    assert.ok(Array.isArray(result.steps[0]?.toolCalls));
    const step = await stepResult(`${id}/step-1`);
    assert.equal(result.costUsd, step.costUsd);
    assert.deepEqual(result.usage, step.usage);
    const text = await cli(['run', 'doors_echo', '--input', 'Name one planet', '--id', id]);
    assert.match(text.stdout, new RegExp(`agent ${id} \\(doors_echo\\) stopped: final, 1 step\\(s\\)`));
    assert.match(text.stdout, /step 1 {3}gpt-4o-mini/);
  });

  it('agent status shows the waiting call and the command to approve it; approve and --reject decide', async () => {
    const id = runId('cli-approve');
    const started = await cli([
      'run',
      'doors_approval',
      '--input',
      'Add 3 and 4',
      '--id',
      id,
      '--no-wait',
      '--json',
    ]);
    assert.deepEqual(JSON.parse(started.stdout), { runId: id });
    const run = agentRun(s.client, id);
    const callId = await waitingCall(id);
    const status = await cli(['status', id]);
    assert.match(status.stdout, /awaiting_approval/);
    assert.ok(
      status.stdout.includes(`waiting for approval: ${callId} calculator({"expression":"2 + 2"})`),
      status.stdout,
    );
    assert.ok(status.stdout.includes(`llm-orchestrator agent approve ${id} ${callId}`), status.stdout);
    const asJson = JSON.parse((await cli(['status', id, '--json'])).stdout) as AgentStatus;
    assert.equal(asJson.pendingApprovals[0]?.callId, callId);
    await assert.rejects(cli(['approve', id, 'call-9']), /call-9/);
    const rejected = await cli(['approve', id, callId, '--reject', '--reason', 'not today', '--by', 'lee']);
    assert.equal(rejected.stdout.trim(), `${callId}: rejected (not today)`);
    const result = await run.result();
    assert.deepEqual(result.steps[0]?.toolCalls[0]?.approval, {
      approved: false,
      timedOut: false,
      reason: 'not today',
      by: 'lee',
    });
  });

  it('agent cancel cancels a run; agent list shows the agents folder', async () => {
    const id = runId('cli-cancel');
    await cli(['run', 'doors_approval', '--input', 'Add 5 and 6', '--id', id, '--no-wait']);
    await until(
      () => agentRun(s.client, id).status(),
      (st) => st.stage === 'awaiting_approval',
    );
    const cancelled = await cli(['cancel', id]);
    assert.equal(cancelled.stdout.trim(), `cancellation of ${id} requested`);
    await assert.rejects(agentRun(s.client, id).result());
    assert.equal((await agentRun(s.client, id).workflow.describe()).status.name, 'CANCELLED');
    const list = await cli(['list', '--dir', TEST_AGENTS_DIR]);
    assert.match(
      list.stdout,
      /doors_approval +Adds numbers with the calculator, each call approved by a person \[calculator\]/,
    );
    assert.match(list.stdout, /doors_echo +Answers the task in one model call \[\]/);
  });
});

describe('HTTP API', () => {
  it('wait=true answers with the finished run; GET shows it to its caller only', async () => {
    const id = runId('http');
    const answer = await http('POST', '/v1/agent-runs?wait=true', {
      body: { agentId: 'doors_echo', input: 'What is SSE?', runId: id },
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const result = answer.body.result as AgentRunResult;
    assert.equal(result.runId, id);
    assert.equal(result.costUsd, (await stepResult(`${id}/step-1`)).costUsd);
    const view = await http('GET', `/v1/agent-runs/${id}`);
    assert.equal(view.body.status, 'completed');
    assert.deepEqual(view.body.result, result);
    assert.equal((await http('GET', `/v1/agent-runs/${id}`, { key: STRANGER_KEY })).status, 404);
  });

  it('stream: true answers with SSE: run events with entry ids, step deltas without, then the result; another key cannot approve', async () => {
    const id = runId('http-sse');
    const response = await fetch(`${s.base}/v1/agent-runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${AGENT_KEY}` },
      // A question of its own: a cached answer would publish no deltas.
      body: JSON.stringify({
        agentId: 'doors_approval',
        input: `Add 2 and 2 (${id})`,
        runId: id,
        stream: true,
      }),
    });
    const first = await readSse(response, (m) => m.some((x) => x.event === 'approval_requested'));
    const requested = first.find((m) => m.event === 'approval_requested');
    const callId = (JSON.parse(requested?.data ?? '{}') as { callId: string }).callId;
    const stranger = await http('POST', `/v1/agent-runs/${id}/approvals`, {
      key: STRANGER_KEY,
      body: { callId, approve: true },
    });
    assert.equal(stranger.status, 404);
    const waiting = await http('GET', `/v1/agent-runs/${id}`);
    assert.equal((waiting.body.agent as AgentStatus).pendingApprovals[0]?.callId, callId);
    const wrong = await http('POST', `/v1/agent-runs/${id}/approvals`, {
      body: { callId: 'call-7', approve: true },
    });
    assert.equal(wrong.status, 400);
    assert.equal((wrong.body.error as { type: string }).type, 'InvalidRequestError');
    const approved = await http('POST', `/v1/agent-runs/${id}/approvals`, {
      body: { callId, approve: true },
    });
    assert.deepEqual(approved.body, { approved: true, timedOut: false, reason: null, by: AGENT_CALLER });
    // Re-attach after the last run event seen: the rest, then the result.
    const lastId = first.filter((m) => m.id).at(-1)?.id as string;
    const again = await fetch(`${s.base}/v1/agent-runs/${id}/stream`, {
      headers: { authorization: `Bearer ${AGENT_KEY}`, 'last-event-id': lastId },
    });
    const rest = await readSse(again);
    assert.deepEqual(
      rest.filter((m) => m.id || m.event === 'result').map((m) => m.event),
      ['approval_decided', 'tool_called', 'tool_result', 'step_started', 'finished', 'result'],
    );
    const deltas = rest.filter((m) => m.event === 'delta');
    assert.ok(deltas.length > 0);
    assert.ok(deltas.every((m) => m.id === undefined && (JSON.parse(m.data) as { step: number }).step === 2));
    assert.ok(
      first.filter((m) => m.event === 'step_started' || m.event === 'tool_called').every((m) => m.id),
    );
    const result = JSON.parse(rest.at(-1)?.data ?? '{}') as AgentRunResult;
    assert.equal(result.steps[0]?.toolCalls[0]?.approval?.by, AGENT_CALLER);
  });

  it('cancel answers 202 and the run ends cancelled; a second cancel is 409', async () => {
    const id = runId('http-cancel');
    const started = await http('POST', '/v1/agent-runs', {
      body: { agentId: 'doors_approval', input: 'Add 8 and 9', runId: id },
    });
    assert.equal(started.status, 202);
    await until(
      () => agentRun(s.client, id).status(),
      (st) => st.stage === 'awaiting_approval',
    );
    assert.equal((await http('POST', `/v1/agent-runs/${id}/cancel`, { key: STRANGER_KEY })).status, 404);
    assert.equal((await http('POST', `/v1/agent-runs/${id}/cancel`)).status, 202);
    await assert.rejects(agentRun(s.client, id).result());
    const view = await http('GET', `/v1/agent-runs/${id}`);
    assert.equal(view.body.status, 'cancelled');
    assert.equal((await http('POST', `/v1/agent-runs/${id}/cancel`)).status, 409);
  });
});

describe('pipeline agent step', () => {
  it('runs the agent as the child <pipeline id>/<step>, reading the step before it; its cost counts', async () => {
    const pipelineId = runId('pipe');
    await startPipeline(s.client, {
      definition: drafted,
      input: { topic: 'tides' },
      pipelineId,
      caller: 'pipes',
    });
    const result = await pipelineResult(s.client, pipelineId);
    const review = await agentRun(s.client, `${pipelineId}/review`).result();
    assert.equal(result.outputs.review, review.output);
    const draft = await stepResult(`${pipelineId}/draft`);
    assert.equal(result.costUsd, draft.costUsd + review.costUsd);
    const reviewState = result.steps.find((st) => st.name === 'review');
    assert.equal(reviewState?.kind, 'agent');
    assert.deepEqual(reviewState?.children, [`${pipelineId}/review`]);
    const children = await pipelineChildren(s.client, pipelineId);
    assert.deepEqual(
      children.map((c) => [c.workflowId, c.workflowType]),
      [
        [`${pipelineId}/draft`, 'pipelineStep'],
        [`${pipelineId}/review`, 'agent'],
      ],
    );
    // The agent was given the draft: its first step's messages hold the draft's text.
    const history = await s.h.env.client.workflow.getHandle(`${pipelineId}/review/step-1`).fetchHistory();
    const data = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    const request = Buffer.from(data ?? []).toString();
    assert.ok(request.includes(`Review this draft: ${String(result.outputs.draft)}`), request);
  });
});
