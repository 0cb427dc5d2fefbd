// The agent routes of the HTTP API on a real stack (dev server, worker, emulator, Redis): the list,
// refusals of bad bodies and unknown agents (400, nothing started), caller isolation (another key's
// GET, cancel, stream and approval answer 404), and the routes in /openapi.json.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  type AgentStack,
  AGENT_KEY as KEY,
  STRANGER_KEY as OTHER_KEY,
  startAgentStack,
} from './support/agentStack.js';

let s: AgentStack;

before(async () => {
  s = await startAgentStack();
});

after(async () => {
  await s?.stop();
});

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  path: string,
  options: { body?: unknown; key?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const response = await fetch(`${s.base}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      authorization: `Bearer ${options.key ?? KEY}`,
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

const errorOf = (answer: Answer): { type?: string; message?: string } =>
  (answer.body.error ?? {}) as { type?: string; message?: string };

const runId = (label: string): string => `doors-${label}-${randomUUID().slice(0, 8)}`;

describe('agent routes: refusals', () => {
  it('lists the agents the server offers', async () => {
    const answer = await call('GET', '/v1/agents');
    assert.equal(answer.status, 200);
    const agents = answer.body.agents as { id: string; description?: string; path?: string }[];
    const echo = agents.find((a) => a.id === 'doors_echo');
    assert.equal(echo?.description, 'Answers the task in one model call');
    assert.equal(echo && 'path' in echo, false, "the server's file paths are not shown");
  });

  it('refuses an unknown agent with 400 AgentDefinitionError and starts nothing', async () => {
    const id = runId('unknown');
    const answer = await call('POST', '/v1/agent-runs', {
      body: { agentId: 'no_such_agent', input: 'hi', runId: id },
    });
    assert.equal(answer.status, 400);
    assert.equal(errorOf(answer).type, 'AgentDefinitionError');
    assert.match(errorOf(answer).message ?? '', /no agent "no_such_agent".*GET \/v1\/agents/);
    assert.equal((await call('GET', `/v1/agent-runs/${id}`)).status, 404, 'no run was started');
  });

  it('refuses bad bodies with 400 InvalidRequestError naming the field', async () => {
    const missing = await call('POST', '/v1/agent-runs', { body: { agentId: 'doors_echo' } });
    assert.equal(missing.status, 400);
    assert.equal(errorOf(missing).type, 'InvalidRequestError');
    assert.match(errorOf(missing).message ?? '', /missing required property "input"/);
    const unknown = await call('POST', '/v1/agent-runs', {
      body: { agentId: 'doors_echo', input: 'hi', tools: ['shell'] },
    });
    assert.equal(unknown.status, 400);
    assert.match(errorOf(unknown).message ?? '', /unknown property "tools"/);
    const badLimit = await call('POST', '/v1/agent-runs', {
      body: { agentId: 'doors_echo', input: 'hi', overrides: { maxSteps: 0 } },
    });
    assert.equal(badLimit.status, 400);
    assert.match(errorOf(badLimit).message ?? '', /overrides\/maxSteps/);
    const slash = await call('POST', '/v1/agent-runs', {
      body: { agentId: 'doors_echo', input: 'hi', runId: 'a/b' },
    });
    assert.equal(slash.status, 400);
    assert.match(errorOf(slash).message ?? '', /runId/);
    const differ = await call('POST', '/v1/agent-runs', {
      body: { agentId: 'doors_echo', input: 'hi', runId: 'one' },
      headers: { 'idempotency-key': 'two' },
    });
    assert.equal(differ.status, 400);
    assert.match(errorOf(differ).message ?? '', /Idempotency-Key "two" and body runId "one" differ/);
  });

  it('an unknown run is 404 on every route', async () => {
    const id = runId('nope');
    assert.equal((await call('GET', `/v1/agent-runs/${id}`)).status, 404);
    assert.equal((await call('POST', `/v1/agent-runs/${id}/cancel`)).status, 404);
    assert.equal((await call('GET', `/v1/agent-runs/${id}/stream`)).status, 404);
    const approve = await call('POST', `/v1/agent-runs/${id}/approvals`, {
      body: { callId: 'c1', approve: true },
    });
    assert.equal(approve.status, 404);
    assert.equal(errorOf(approve).type, 'NotFoundError');
  });

  it('hides a run from another key: its GET, cancel, stream and approval answer 404, and it cannot take the id', async () => {
    const id = runId('mine');
    const started = await call('POST', '/v1/agent-runs', {
      body: { agentId: 'doors_echo', input: 'What is 2 + 2?' },
      headers: { 'idempotency-key': id },
    });
    assert.equal(started.status, 202);
    assert.equal(started.body.runId, id);
    assert.equal(started.headers.get('x-run-id'), id);
    const stranger = { key: OTHER_KEY };
    assert.equal((await call('GET', `/v1/agent-runs/${id}`, stranger)).status, 404);
    assert.equal((await call('POST', `/v1/agent-runs/${id}/cancel`, stranger)).status, 404);
    assert.equal((await call('GET', `/v1/agent-runs/${id}/stream`, stranger)).status, 404);
    const approve = await call('POST', `/v1/agent-runs/${id}/approvals`, {
      ...stranger,
      body: { callId: 'c1', approve: true },
    });
    assert.equal(approve.status, 404);
    const takeOver = await call('POST', '/v1/agent-runs', {
      ...stranger,
      body: { agentId: 'doors_echo', input: 'mine now', runId: id },
    });
    assert.equal(takeOver.status, 409);
    assert.equal(errorOf(takeOver).type, 'ConflictError');
    const description = await s.h.env.client.workflow.getHandle(id).describe();
    assert.equal(description.type, 'agent');
    assert.deepEqual(description.memo, { caller: 'agents-app' });
  });

  it('refuses a Last-Event-ID that is not an entry id, and an approval body without a decision', async () => {
    const id = runId('bad-stream');
    await call('POST', '/v1/agent-runs', { body: { agentId: 'doors_echo', input: 'hello', runId: id } });
    const stream = await call('GET', `/v1/agent-runs/${id}/stream`, {
      headers: { 'last-event-id': 'yesterday' },
    });
    assert.equal(stream.status, 400);
    assert.match(errorOf(stream).message ?? '', /Last-Event-ID "yesterday"/);
    const approve = await call('POST', `/v1/agent-runs/${id}/approvals`, { body: { callId: 'c1' } });
    assert.equal(approve.status, 400);
    assert.match(errorOf(approve).message ?? '', /missing required property "approve"/);
  });

  it('documents the agent routes in /openapi.json', async () => {
    const response = await fetch(`${s.base}/openapi.json`);
    const document = (await response.json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, method] of [
      ['/v1/agents', 'get'],
      ['/v1/agent-runs', 'post'],
      ['/v1/agent-runs/{id}', 'get'],
      ['/v1/agent-runs/{id}/approvals', 'post'],
      ['/v1/agent-runs/{id}/cancel', 'post'],
      ['/v1/agent-runs/{id}/stream', 'get'],
    ] as const) {
      assert.ok(document.paths[path]?.[method], `${method.toUpperCase()} ${path} is documented`);
    }
  });
});
