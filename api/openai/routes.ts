// The OpenAI-compatible endpoint: `POST /v1/chat/completions` (plain and streaming, tools and images)
// and `GET /v1/models`, so the official `openai` client with `baseURL` pointing here gets durable,
// retried, fallback-protected completions, with errors in OpenAI's shape (`param` names the field).
import type { FastifyInstance } from 'fastify';
import { requestCaller } from '../auth.js';
import {
  chatCompletionResponse,
  modelListSchema,
  openAiErrorSchema,
  serializedAsBefore,
} from '../schemas.js';
import { streamReply } from '../sse.js';
import { registerDoor } from '../wire/scope.js';
import { chooseModel, type DoorOptions, newId, startDoorRequest } from '../wire/start.js';
import { completion, openAiError } from './format.js';
import { modelList } from './models.js';
import { type ChatCompletionBody, chatCompletionBodySchema, toLlmRequest } from './request.js';
import { streamChatCompletion } from './stream.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers failures in OpenAI's error format (api/server.ts). */
    openai?: boolean;
  }
}

/** Route config that makes the error handler answer in OpenAI's error format. */
export const openAiRouteConfig = { openai: true } as const;

export type OpenAiRouteOptions = DoorOptions;

export function registerOpenAiRoutes(app: FastifyInstance, options: OpenAiRouteOptions): void {
  const { client } = options;
  registerDoor(
    app,
    ({ status, body, param }) => ({ status, body: openAiError(status, body, param) }),
    (door) => {
      // Documented in /openapi.json; serialised as the handlers write them.
      const failures = { '4xx': openAiErrorSchema, '5xx': openAiErrorSchema };
      door.get(
        '/v1/models',
        {
          config: openAiRouteConfig,
          schema: { response: { 200: modelListSchema, ...failures } },
          serializerCompiler: serializedAsBefore,
        },
        async () => modelList(options.catalog(), options.routing()),
      );

      door.post<{ Body: ChatCompletionBody }>(
        '/v1/chat/completions',
        {
          config: openAiRouteConfig,
          schema: { body: chatCompletionBodySchema, response: { 200: chatCompletionResponse, ...failures } },
          serializerCompiler: serializedAsBefore,
        },
        async (request, reply) => {
          const caller = requestCaller(request);
          const body = request.body;
          const choice = chooseModel(options, body.model);
          const llmRequest = await startDoorRequest(
            options,
            request,
            (key) => key ?? newId('chat-'),
            (requestId) => toLlmRequest(body, choice, requestId, caller),
          );
          const { requestId } = llmRequest;
          reply.header('x-request-id', requestId);
          const meta = { id: requestId, created: Math.floor(Date.now() / 1000), model: body.model };
          if (llmRequest.stream && client.streams) {
            const reader = client.streams;
            return streamReply(reply, (sse) =>
              streamChatCompletion(sse, {
                client,
                reader,
                requestId,
                meta,
                includeUsage: body.stream_options?.include_usage === true,
              }),
            );
          }
          return completion(meta, await client.result(requestId));
        },
      );
    },
  );
}
