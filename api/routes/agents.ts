// The agent API: list the agents, start a run (answering at once, after it finished, or as an event
// stream), read its status and result, approve or reject a waiting tool call, cancel it, and follow
// its progress as server-sent events (re-attach with Last-Event-ID). Every run belongs to its caller.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AgentStreamEvent } from '../../client/agentStream.js';
import { agentRun, startAgent } from '../../client/agents.js';
import type { OrchestratorClient } from '../../client/client.js';
import { isAgentEvent } from '../../common/agents/events.js';
import type { AgentOverrides } from '../../common/agents/types.js';
import { failureType } from '../../common/errors.js';
import {
  agentListSchema,
  agentRunViewSchema,
  approvalBodySchema,
  approvalOutcomeSchema,
  runIdParamsSchema,
  startAgentBodySchema,
} from '../agentSchemas.js';
import { type AgentRunView, agentRunLinks, ownedRunState, viewAgentRun } from '../agentView.js';
import { requestCaller } from '../auth.js';
import { errorBody, HttpError, statusFor } from '../errors.js';
import { idempotencyKey } from '../idempotency.js';
import {
  errorSchema,
  eventStreamResponse,
  serializedAsBefore,
  startQuerySchema,
  streamQuerySchema,
} from '../schemas.js';
import { resumeAfter, type SseStream, streamReply } from '../sse.js';

/** The agents a server offers: the ids a run may name (the worker loads and checks the files). */
export interface AgentSource {
  list(): Promise<{ id: string; description?: string; tools: string[] }[]>;
}

interface StartBody {
  agentId: string;
  input: string;
  runId?: string;
  overrides?: AgentOverrides;
  stream?: boolean;
}

const viewResponses = {
  200: agentRunViewSchema,
  202: agentRunViewSchema,
  '4xx': errorSchema,
  '5xx': errorSchema,
};

export function registerAgentRoutes(
  app: FastifyInstance,
  client: OrchestratorClient,
  agents?: AgentSource,
): void {
  app.get('/v1/agents', { schema: { response: { 200: agentListSchema } } }, async () => ({
    agents: agents ? await agents.list() : [],
  }));

  app.post<{ Body: StartBody; Querystring: { wait?: string } }>(
    '/v1/agent-runs',
    {
      schema: {
        body: startAgentBodySchema,
        querystring: startQuerySchema,
        response: {
          ...viewResponses,
          200: {
            ...agentRunViewSchema,
            description: 'the finished run (wait=true); with stream: true, server-sent events',
          },
        },
      },
    },
    async (request, reply) => {
      const caller = requestCaller(request);
      const body = request.body;
      if (agents && !(await agents.list()).some((agent) => agent.id === body.agentId)) {
        throw new HttpError(
          400,
          'AgentDefinitionError',
          `no agent "${body.agentId}": GET /v1/agents lists the agents this server offers`,
        );
      }
      const runId = chooseRunId(idempotencyKey(request), body);
      const run = await startAgent(client, {
        agentId: body.agentId,
        input: body.input,
        runId,
        caller,
        ...(body.overrides ? { overrides: body.overrides } : {}),
        ...(body.stream ? { stream: true } : {}),
      });
      // A chosen id may already name someone else's run: never join or reveal it.
      await ownedRunState(client, runId, caller).catch((error: unknown) => {
        if (error instanceof HttpError && error.status === 404)
          throw new HttpError(409, 'ConflictError', `run id ${runId} is already in use: choose another`);
        throw error;
      });
      reply.header('x-run-id', runId);
      if (body.stream) return streamRun(reply, client, runId, undefined);
      if (request.query.wait === 'true' || request.query.wait === '1') {
        const view = await waitFor(client, runId, caller);
        return reply.code(view.error ? statusFor(view.error.type) : 200).send(view);
      }
      const view: AgentRunView = { runId: run.runId, status: 'running', links: agentRunLinks(runId) };
      return reply.code(202).send(view);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/agent-runs/:id',
    { schema: { params: runIdParamsSchema, response: { 200: agentRunViewSchema, '4xx': errorSchema } } },
    async (request) => viewAgentRun(client, request.params.id, requestCaller(request)),
  );

  app.post<{ Params: { id: string }; Body: { callId: string; approve: boolean; reason?: string } }>(
    '/v1/agent-runs/:id/approvals',
    {
      schema: {
        params: runIdParamsSchema,
        body: approvalBodySchema,
        response: { 200: approvalOutcomeSchema, '4xx': errorSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      const caller = requestCaller(request);
      const state = await ownedRunState(client, id, caller);
      if (state !== 'running')
        throw new HttpError(409, 'ConflictError', `agent run ${id} is already ${state}`);
      const { callId, approve, reason } = request.body;
      try {
        return await agentRun(client, id).decide({
          callId,
          approve,
          by: caller,
          ...(reason ? { reason } : {}),
        });
      } catch (error) {
        // The update's validator refuses unknown or no longer waiting calls: the caller's mistake.
        const type = failureType(error);
        if (type && statusFor(type) === 500) throw new HttpError(400, type, errorBody(error).message);
        throw error;
      }
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/agent-runs/:id/cancel',
    { schema: { params: runIdParamsSchema, response: { 202: agentRunViewSchema, '4xx': errorSchema } } },
    async (request, reply) => {
      const { id } = request.params;
      const state = await ownedRunState(client, id, requestCaller(request));
      if (state !== 'running')
        throw new HttpError(409, 'ConflictError', `agent run ${id} is already ${state}`);
      await agentRun(client, id).cancel();
      const view: AgentRunView = { runId: id, status: 'running', links: agentRunLinks(id) };
      return reply.code(202).send(view);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { after?: string } }>(
    '/v1/agent-runs/:id/stream',
    {
      schema: {
        params: runIdParamsSchema,
        querystring: streamQuerySchema,
        response: { 200: eventStreamResponse, '4xx': errorSchema },
      },
      serializerCompiler: serializedAsBefore,
    },
    async (request, reply) => {
      const { id } = request.params;
      await ownedRunState(client, id, requestCaller(request));
      const lastEventId = resumeAfter(request);
      reply.header('x-run-id', id);
      return streamRun(reply, client, id, lastEventId);
    },
  );
}

/** The Idempotency-Key header, else the body's runId, else a new id. */
function chooseRunId(key: string | undefined, body: StartBody): string {
  if (key !== undefined && body.runId !== undefined && body.runId !== key) {
    throw new HttpError(
      400,
      'InvalidRequestError',
      `Idempotency-Key "${key}" and body runId "${body.runId}" differ: send one, or the same value`,
    );
  }
  return key ?? body.runId ?? `${body.agentId}-${randomBytes(4).toString('hex')}`;
}

/** Waits for the run's outcome and shapes it as a view (a typed failure becomes its error). */
async function waitFor(client: OrchestratorClient, runId: string, caller: string): Promise<AgentRunView> {
  try {
    const result = await agentRun(client, runId).result();
    return { runId, status: 'completed', result, links: agentRunLinks(runId) };
  } catch (error) {
    if (failureType(error) === undefined) return viewAgentRun(client, runId, caller);
    return { runId, status: 'failed', error: errorBody(error), links: agentRunLinks(runId) };
  }
}

/**
 * Serves a run's progress as SSE: each run event with its entry id (the Last-Event-ID to re-attach
 * with), each step's request events (text deltas) without one, then `result` or `error`.
 */
async function streamRun(
  reply: FastifyReply,
  client: OrchestratorClient,
  runId: string,
  afterId: string | undefined,
): Promise<FastifyReply> {
  if (!client.streams) {
    throw new HttpError(
      501,
      'NotImplementedError',
      'streaming is not configured on this server (set REDIS_URL)',
    );
  }
  return streamReply(reply, async (sse: SseStream) => {
    try {
      for await (const event of agentRun(client, runId).stream({
        signal: sse.signal,
        ...(afterId ? { afterId } : {}),
      })) {
        sse.send(sseEvent(event));
      }
    } catch (error) {
      sse.send({ event: 'error', data: JSON.stringify(errorBody(error)) });
    }
  });
}

function sseEvent(event: AgentStreamEvent): { id?: string; event: string; data: string } {
  if (event.type === 'result') return { event: 'result', data: JSON.stringify(event.result) };
  const { id, ...data } = event;
  // A step's request events carry an entry of the step's stream: not a place for the run to resume.
  return isAgentEvent(event)
    ? { id, event: event.type, data: JSON.stringify(data) }
    : { event: event.type, data: JSON.stringify(data) };
}
