// The Anthropic Messages door: `POST /v1/messages` (plain and streaming) and
// `POST /v1/messages/count_tokens`, so the official `@anthropic-ai/sdk` (or anything built on it) with
// `baseURL` pointing here gets durable, retried, fallback-protected answers from any catalog model.
// The key may come as `x-api-key` (what the SDK sends) or `Authorization: Bearer` (api/auth.ts);
// errors are in Anthropic's shape with its status codes.

import type { FastifyInstance } from 'fastify';
import { requestCaller } from '../auth.js';
import { streamReply } from '../sse.js';
import { countTokensDoc, messagesCreateDoc, serializedAsBefore } from '../wire/responseSchemas.js';
import { registerDoor } from '../wire/scope.js';
import { chooseModel, type DoorOptions, newId, startDoorRequest } from '../wire/start.js';
import { countTokens } from './countTokens.js';
import { anthropicError, anthropicStatus, message } from './format.js';
import { type CountTokensBody, type MessagesBody, toLlmRequest } from './request.js';
import { countTokensBodySchema, messagesBodySchema } from './schema.js';
import { streamMessage } from './stream.js';

export function registerAnthropicRoutes(app: FastifyInstance, options: DoorOptions): void {
  const { client } = options;
  registerDoor(
    app,
    ({ status, body }) => {
      const code = anthropicStatus(status, body);
      return { status: code, body: anthropicError(code, body) };
    },
    (door) => {
      door.post<{ Body: MessagesBody }>(
        '/v1/messages',
        {
          schema: { body: messagesBodySchema, ...messagesCreateDoc },
          serializerCompiler: serializedAsBefore,
        },
        async (request, reply) => {
          const caller = requestCaller(request);
          const body = request.body;
          const choice = chooseModel(options, body.model);
          const llmRequest = await startDoorRequest(
            options,
            request,
            (key) => key ?? newId('msg_'),
            (requestId) => toLlmRequest(body, choice, requestId, caller),
          );
          const { requestId } = llmRequest;
          reply.header('request-id', requestId);
          if (llmRequest.stream && client.streams) {
            const reader = client.streams;
            return streamReply(reply, (sse) =>
              streamMessage(sse, { client, reader, requestId, model: body.model }),
            );
          }
          return message(requestId, await client.result(requestId));
        },
      );

      door.post<{ Body: CountTokensBody }>(
        '/v1/messages/count_tokens',
        {
          schema: { body: countTokensBodySchema, ...countTokensDoc },
          serializerCompiler: serializedAsBefore,
        },
        async (request) => {
          requestCaller(request);
          const choice = chooseModel(options, request.body.model);
          return countTokens(request.body, choice, options.catalog(), options.routing());
        },
      );
    },
  );
}
