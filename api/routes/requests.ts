// The native request API: start a request (optionally waiting for it, or streaming it as SSE), read
// its status/result/error, cancel it, and re-attach to its stream after a disconnect.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OrchestratorClient } from '../../client/client.js';
import { failureType } from '../../common/errors.js';
import type { LlmRequest } from '../../common/request.js';
import { requestCaller } from '../auth.js';
import { errorBody, HttpError, statusFor } from '../errors.js';
import { confirmOwnRequest, idempotencyKey } from '../idempotency.js';
import { ownedState, type RequestView, requestLinks, viewRequest } from '../requestView.js';
import {
  errorSchema,
  eventStreamResponse,
  idParamsSchema,
  outcomeSchema,
  requestBodySchema,
  requestViewSchema,
  serializedAsBefore,
  startQuerySchema,
  streamQuerySchema,
} from '../schemas.js';
import { resumeAfter, SseStream } from '../sse.js';

type RequestBody = Omit<LlmRequest, 'requestId' | 'caller'> & { requestId?: string };

const viewResponses = {
  200: requestViewSchema,
  202: requestViewSchema,
  '4xx': outcomeSchema,
  '5xx': outcomeSchema,
};

export function registerRequestRoutes(app: FastifyInstance, client: OrchestratorClient): void {
  app.post<{ Body: RequestBody; Querystring: { wait?: string } }>(
    '/v1/requests',
    { schema: { body: requestBodySchema, querystring: startQuerySchema, response: viewResponses } },
    async (request, reply) => {
      const caller = requestCaller(request);
      const { requestId, chosen } = chooseRequestId(request);
      const llmRequest: LlmRequest = { ...request.body, requestId, caller };
      await client.start(llmRequest);
      // A chosen id may already name someone else's request: never join or reveal it.
      if (chosen) await confirmOwnRequest(client, requestId, caller);
      reply.header('x-request-id', requestId);
      if (request.body.stream) return streamTo(reply, client, requestId, undefined);
      if (isTrue(request.query.wait)) return sendFinished(reply, await waitFor(client, requestId, caller));
      const view: RequestView = chosen
        ? await viewRequest(client, requestId, caller)
        : { requestId, status: 'running', attempts: [], links: requestLinks(requestId) };
      return reply.code(view.status === 'running' ? 202 : 200).send(view);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/requests/:id',
    { schema: { params: idParamsSchema, response: { 200: requestViewSchema, '4xx': errorSchema } } },
    async (request) => viewRequest(client, request.params.id, requestCaller(request)),
  );

  app.post<{ Params: { id: string } }>(
    '/v1/requests/:id/cancel',
    { schema: { params: idParamsSchema, response: { 202: requestViewSchema, '4xx': errorSchema } } },
    async (request, reply) => {
      const { id } = request.params;
      const state = await ownedState(client, id, requestCaller(request));
      if (state !== 'running') throw new HttpError(409, 'ConflictError', `request ${id} is already ${state}`);
      await client.cancel(id);
      const view: RequestView = {
        requestId: id,
        status: 'running',
        stage: 'cancelling',
        attempts: [],
        links: requestLinks(id),
      };
      return reply.code(202).send(view);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { after?: string } }>(
    '/v1/requests/:id/stream',
    {
      schema: {
        params: idParamsSchema,
        querystring: streamQuerySchema,
        response: { 200: eventStreamResponse, '4xx': errorSchema },
      },
      serializerCompiler: serializedAsBefore,
    },
    async (request, reply) => {
      const { id } = request.params;
      await ownedState(client, id, requestCaller(request));
      const lastEventId = resumeAfter(request);
      reply.header('x-request-id', id);
      return streamTo(reply, client, id, lastEventId);
    },
  );
}

/** The Idempotency-Key header, else the body's requestId, else a new id; `chosen` when the caller picked it. */
function chooseRequestId(request: FastifyRequest<{ Body: RequestBody }>): {
  requestId: string;
  chosen: boolean;
} {
  const key = idempotencyKey(request);
  const fromBody = request.body.requestId;
  if (key !== undefined && fromBody !== undefined && fromBody !== key) {
    throw new HttpError(
      400,
      'InvalidRequestError',
      `Idempotency-Key "${key}" and body requestId "${fromBody}" differ: send one, or the same value`,
    );
  }
  const chosen = key ?? fromBody;
  return chosen !== undefined
    ? { requestId: chosen, chosen: true }
    : { requestId: `req-${randomUUID()}`, chosen: false };
}

function isTrue(flag: string | undefined): boolean {
  return flag === 'true' || flag === '1';
}

/** Waits for the workflow's outcome and shapes it as a view. */
async function waitFor(client: OrchestratorClient, requestId: string, caller: string): Promise<RequestView> {
  try {
    const result = await client.result(requestId);
    return {
      requestId,
      status: 'completed',
      result,
      attempts: result.attempts,
      links: requestLinks(requestId),
    };
  } catch (error) {
    // A typed failure, or a run that was cancelled/terminated/timed out, which the view describes.
    if (failureType(error) === undefined) return viewRequest(client, requestId, caller);
    const body = errorBody(error);
    const attempts = (body.details as { attempts?: RequestView['attempts'] } | undefined)?.attempts ?? [];
    return { requestId, status: 'failed', error: body, attempts, links: requestLinks(requestId) };
  }
}

/** A finished request: 200 with its result, or the status its failure type maps to, with the same view. */
function sendFinished(reply: FastifyReply, view: RequestView): FastifyReply {
  return reply.code(view.error ? statusFor(view.error.type) : 200).send(view);
}

/** Serves a request's stream as SSE: each event with its entry id, then `result` or `error`. */
async function streamTo(
  reply: FastifyReply,
  client: OrchestratorClient,
  requestId: string,
  afterId: string | undefined,
): Promise<FastifyReply> {
  if (!client.streams) {
    throw new HttpError(
      501,
      'NotImplementedError',
      'streaming is not configured on this server (set REDIS_URL)',
    );
  }
  const sse = new SseStream(reply);
  try {
    for await (const event of client.follow(requestId, {
      signal: sse.signal,
      ...(afterId ? { afterId } : {}),
    })) {
      if (event.type === 'result') {
        sse.send({ event: 'result', data: JSON.stringify(event.result) });
        continue;
      }
      const { id, ...data } = event;
      sse.send({ id, event: event.type, data: JSON.stringify(data) });
    }
  } catch (error) {
    sse.send({ event: 'error', data: JSON.stringify(errorBody(error)) });
  } finally {
    sse.end();
  }
  return reply;
}
