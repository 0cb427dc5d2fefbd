// The OpenAI Responses door: `POST /v1/responses` (plain and streaming) and `GET /v1/responses/{id}`.
// A response is one durable request whose workflow id is the response id; `previous_response_id`
// continues a stored conversation read back from Temporal. Errors are in OpenAI's shape.

import type { FastifyInstance } from 'fastify';
import type { OrchestratorClient } from '../../client/client.js';
import { requestCaller } from '../auth.js';
import { errorBody } from '../errors.js';
import { openAiError } from '../openai/format.js';
import type { RequestState } from '../requestView.js';
import { streamReply } from '../sse.js';
import { responsesCreateDoc, responsesGetDoc, serializedAsBefore } from '../wire/responseSchemas.js';
import { registerDoor } from '../wire/scope.js';
import { chooseModel, type DoorOptions, newId, startDoorRequest } from '../wire/start.js';
import { type ResponseStatus, type ResponseView, responseObject } from './format.js';
import { type ResponsesBody, toLlmRequest } from './request.js';
import { responseIdParamsSchema, responsesBodySchema } from './schema.js';
import { earlierConversation, RESPONSE_ID_PREFIX, storedResponse } from './stored.js';
import { streamResponse } from './stream.js';

const STATUS: Record<RequestState, ResponseStatus> = {
  running: 'in_progress',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  terminated: 'failed',
  timed_out: 'failed',
};

async function currentView(client: OrchestratorClient, id: string, caller: string): Promise<ResponseView> {
  const stored = await storedResponse(client, id, caller);
  const base = { id, createdAt: stored.createdAt, request: stored.request, status: STATUS[stored.state] };
  if (stored.state === 'completed') return { ...base, result: await client.result(id) };
  if (stored.state === 'running') return base;
  const error = await client.result(id).then(
    () => undefined,
    (e: unknown) => errorBody(e),
  );
  return { ...base, ...(error ? { error } : {}) };
}

export function registerResponsesRoutes(app: FastifyInstance, options: DoorOptions): void {
  const { client } = options;
  registerDoor(
    app,
    ({ status, body, param }) => ({ status, body: openAiError(status, body, param) }),
    (door) => {
      door.post<{ Body: ResponsesBody }>(
        '/v1/responses',
        {
          schema: { body: responsesBodySchema, ...responsesCreateDoc },
          serializerCompiler: serializedAsBefore,
        },
        async (request, reply) => {
          const caller = requestCaller(request);
          const body = request.body;
          const choice = chooseModel(options, body.model);
          const earlier = body.previous_response_id
            ? await earlierConversation(client, body.previous_response_id, caller)
            : [];
          const llmRequest = await startDoorRequest(
            options,
            request,
            (key) => (key ? `${RESPONSE_ID_PREFIX}${key}` : newId(RESPONSE_ID_PREFIX)),
            (requestId) => toLlmRequest(body, { choice, requestId, caller, earlier }),
          );
          const id = llmRequest.requestId;
          reply.header('x-request-id', id);
          const view: ResponseView = {
            id,
            createdAt: Math.floor(Date.now() / 1000),
            request: llmRequest,
            status: 'in_progress',
          };
          if (llmRequest.stream && client.streams) {
            const reader = client.streams;
            return streamReply(reply, (sse) => streamResponse(sse, { client, reader, view }));
          }
          return responseObject({ ...view, status: 'completed', result: await client.result(id) });
        },
      );

      door.get<{ Params: { id: string } }>(
        '/v1/responses/:id',
        {
          schema: { params: responseIdParamsSchema, ...responsesGetDoc },
          serializerCompiler: serializedAsBefore,
        },
        async (request) =>
          responseObject(await currentView(client, request.params.id, requestCaller(request))),
      );
    },
  );
}
