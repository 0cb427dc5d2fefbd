// The OpenAI-compatible endpoint: `POST /v1/chat/completions` (plain and streaming) and `GET /v1/models`,
// so the official `openai` client with `baseURL` pointing here gets durable, retried, fallback-protected
// completions. Failures are final (the orchestrator already retried), so answers say `x-should-retry: false`.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import type { OrchestratorClient } from '../../client/client.js';
import type { ModelCatalog, RoutingTable } from '../../common/catalog.js';
import { requestCaller } from '../auth.js';
import { HttpError } from '../errors.js';
import { confirmOwnRequest, idempotencyKey } from '../idempotency.js';
import {
  chatCompletionResponse,
  modelListSchema,
  openAiErrorSchema,
  serializedAsBefore,
} from '../schemas.js';
import { SseStream } from '../sse.js';
import { completion } from './format.js';
import { modelList, modelNames, resolveModel } from './models.js';
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

export interface OpenAiRouteOptions {
  client: OrchestratorClient;
  catalog: () => ModelCatalog;
  routing: () => RoutingTable;
}

export function registerOpenAiRoutes(app: FastifyInstance, options: OpenAiRouteOptions): void {
  const { client } = options;

  const failures = { '4xx': openAiErrorSchema, '5xx': openAiErrorSchema };
  const chatCompletionRoute: RouteShorthandOptions = {
    config: openAiRouteConfig,
    schema: { body: chatCompletionBodySchema, response: { 200: chatCompletionResponse, ...failures } },
    serializerCompiler: serializedAsBefore,
  };
  app.get(
    '/v1/models',
    {
      config: openAiRouteConfig,
      schema: { response: { 200: modelListSchema, ...failures } },
      serializerCompiler: serializedAsBefore,
    },
    async () => modelList(options.catalog(), options.routing()),
  );

  app.post<{ Body: ChatCompletionBody }>(
    '/v1/chat/completions',
    chatCompletionRoute,
    async (request, reply) => {
      const caller = requestCaller(request);
      const body = request.body;
      const choice = resolveModel(body.model, options.catalog(), options.routing());
      if (!choice) {
        const known = modelNames(options.catalog(), options.routing()).join(', ');
        throw new HttpError(
          404,
          'UnknownModelError',
          `model "${body.model}" is neither a catalog model nor a task route; known: ${known}`,
        );
      }
      const key = idempotencyKey(request);
      const requestId = key ?? `chat-${randomUUID()}`;
      const llmRequest = toLlmRequest(body, choice, requestId, caller);
      if (llmRequest.stream && !client.streams) {
        throw new HttpError(
          501,
          'NotImplementedError',
          'streaming is not configured on this server (set REDIS_URL)',
        );
      }
      await client.start(llmRequest);
      if (key !== undefined) await confirmOwnRequest(client, requestId, caller);
      reply.header('x-request-id', requestId);
      const meta = { id: requestId, created: Math.floor(Date.now() / 1000), model: body.model };
      if (llmRequest.stream && client.streams) {
        const sse = new SseStream(reply);
        try {
          await streamChatCompletion(sse, {
            client,
            reader: client.streams,
            requestId,
            meta,
            includeUsage: body.stream_options?.include_usage === true,
          });
        } finally {
          sse.end();
        }
        return reply;
      }
      return completion(meta, await client.result(requestId));
    },
  );
}
