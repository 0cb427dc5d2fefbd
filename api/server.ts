// The HTTP gateway: REST, SSE and OpenAI-compatible endpoints over the typed client, behind API keys.
//
//   open:           GET /health, GET /health/ready, GET /metrics, GET /openapi.json, GET /docs
//   needs a key:    POST /v1/requests[?wait=true]          start (Idempotency-Key = request id; SSE when stream)
//                   GET  /v1/requests/{id}                 status, result or typed error, attempts
//                   POST /v1/requests/{id}/cancel
//                   GET  /v1/requests/{id}/stream          SSE, re-attach with Last-Event-ID
//                   GET  /v1/agents                        the agents defined
//                   POST /v1/agent-runs[?wait=true]        start an agent run (SSE when stream)
//                   GET  /v1/agent-runs/{id}               status, pending approvals, result or error
//                   POST /v1/agent-runs/{id}/approvals     approve or reject a waiting tool call
//                   POST /v1/agent-runs/{id}/cancel
//                   GET  /v1/agent-runs/{id}/stream        SSE of its progress, re-attach with Last-Event-ID
//                   GET  /v1/templates, GET /debug/templates/{id}
//                   POST /v1/chat/completions, GET /v1/models   (OpenAI-compatible)
import type { ErrorObject } from 'ajv';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { OrchestratorClient } from '../client/client.js';
import type { ModelCatalog, RoutingTable } from '../common/catalog.js';
import { readLogSettings } from '../config/env.js';
import { registerAnthropicRoutes } from './anthropic/routes.js';
import { authHook } from './auth.js';
import { errorBody, errorStatus, HttpError } from './errors.js';
import type { ApiKeyStore } from './keys.js';
import { createApiMetrics, recordRequests } from './metrics.js';
import { openAiError } from './openai/format.js';
import { registerOpenAiRoutes } from './openai/routes.js';
import { registerOpenApi } from './openapi.js';
import { registerResponsesRoutes } from './responses/routes.js';
import { type AgentSource, registerAgentRoutes } from './routes/agents.js';
import { type ReadinessCheck, registerHealthRoutes } from './routes/health.js';
import { registerRequestRoutes } from './routes/requests.js';
import { registerTemplateRoutes, type TemplateSource } from './routes/templates.js';

/** Pino options (level, stream, …); keys are redacted whatever is passed. `false` turns logging off. */
export type ApiLoggerOptions = false | { level?: string; stream?: { write(line: string): void } };

export interface ApiServerOptions {
  client: OrchestratorClient;
  keys: ApiKeyStore;
  templates: TemplateSource;
  /** The agents runs may name; without it any id is started and an unknown one fails in the worker. */
  agents?: AgentSource;
  catalog: () => ModelCatalog;
  routing: () => RoutingTable;
  logger?: ApiLoggerOptions;
  /** Dependencies /health/ready checks; Temporal is always checked. */
  readiness?: Record<string, ReadinessCheck>;
  /** Other registries of this process to serve on /metrics beside the API's own. */
  metricsRegistries?: readonly Registry[];
  /** Node's default process metrics on /metrics (off in tests: they are process-wide). */
  defaultMetrics?: boolean;
  bodyLimitBytes?: number;
}

/** Where keys could appear in a log line: they are replaced before the line is written. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
];

export async function createApiServer(options: ApiServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerConfig(options.logger),
    bodyLimit: options.bodyLimitBytes ?? 10 * 1024 * 1024,
    // Bodies are checked as sent: no silent coercion, no silently dropped fields, every problem named.
    ajv: {
      customOptions: { allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: false },
    },
    schemaErrorFormatter: (errors, dataVar) => new Error(describeSchemaErrors(errors, dataVar)),
  });
  // First: the document collects every route registered after it.
  await registerOpenApi(app);
  const metrics = createApiMetrics({ defaultMetrics: options.defaultMetrics ?? false });
  recordRequests(app, metrics);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = httpFailure(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    if (isOpenAiRoute(request)) {
      if (body.type !== 'InternalError') reply.header('x-should-retry', 'false');
      return reply.code(status).send(openAiError(status, body));
    }
    return reply.code(status).send({ error: body });
  });
  app.setNotFoundHandler((request, reply) => {
    const body = {
      type: 'NotFoundError',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
    };
    return reply.code(404).send(isOpenAiRoute(request) ? openAiError(404, body) : { error: body });
  });

  const checks: Record<string, ReadinessCheck> = {
    temporal: async () => {
      await options.client.temporal.workflowService.getSystemInfo({});
    },
    ...options.readiness,
  };
  registerHealthRoutes(app, checks, () => [metrics.registry, ...(options.metricsRegistries ?? [])]);

  await app.register(async (scope) => {
    scope.addHook('onRequest', authHook(options.keys));
    registerRequestRoutes(scope, options.client);
    registerTemplateRoutes(scope, options.templates);
    registerAgentRoutes(scope, options.client, options.agents);
    const doors = { client: options.client, catalog: options.catalog, routing: options.routing };
    registerOpenAiRoutes(scope, doors);
    registerResponsesRoutes(scope, doors);
    registerAnthropicRoutes(scope, doors);
  });
  return app;
}

function loggerConfig(options: ApiLoggerOptions | undefined): object | false {
  if (options === false) return false;
  return {
    level: options?.level ?? readLogSettings().level,
    ...(options?.stream ? { stream: options.stream } : {}),
    // The worker's line shape (workers/logging.ts): time, level by name, message; no pid or host.
    messageKey: 'message',
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label: string) => ({ level: label }), bindings: () => ({}) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      // Headers help debugging (idempotency keys, user agents); the redaction above hides the keys.
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: request.url,
        headers: request.headers,
        remoteAddress: request.ip,
      }),
    },
  };
}

function isOpenAiRoute(request: FastifyRequest): boolean {
  const config = request.routeOptions.config as { openai?: boolean } | undefined;
  if (config?.openai) return true;
  // Unmatched URLs under OpenAI's paths answer in OpenAI's format too.
  return request.url.startsWith('/v1/chat/') || request.url.startsWith('/v1/models');
}

function httpFailure(error: FastifyError): { status: number; body: ReturnType<typeof errorBody> } {
  if (error.validation) {
    return { status: 400, body: { type: 'InvalidRequestError', message: error.message } };
  }
  if (
    !(error instanceof HttpError) &&
    error.statusCode &&
    error.statusCode >= 400 &&
    error.statusCode < 500
  ) {
    // Fastify's own refusals: unparsable JSON, a body too large, an unsupported content type.
    return { status: error.statusCode, body: { type: 'InvalidRequestError', message: error.message } };
  }
  return { status: errorStatus(error), body: errorBody(error) };
}

/** `body/variables must be object; body must NOT have additional properties (caller)`. */
function describeSchemaErrors(errors: readonly ErrorObject[], dataVar: string): string {
  const problems = errors
    // anyOf/oneOf repeat what their branches already said.
    .filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf')
    .map((e) => {
      const where = `${dataVar}${e.instancePath}`;
      if (e.keyword === 'additionalProperties') {
        return `${where} has unknown property "${String(e.params.additionalProperty)}"`;
      }
      if (e.keyword === 'required')
        return `${where} is missing required property "${String(e.params.missingProperty)}"`;
      return `${where} ${e.message ?? 'is invalid'}`;
    });
  return [...new Set(problems)].join('; ') || `${dataVar} is invalid`;
}
