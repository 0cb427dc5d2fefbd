import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { anthropicError } from './anthropicErrors.js';
import { anthropicAuthError, looksAnthropic, openaiAuthError } from './auth.js';
import { Exchange } from './exchange.js';
import { KNOWN_MODELS, type ModelInfo } from './models.js';
import { openaiError } from './openaiErrors.js';
import type { EmulatorState } from './state.js';

const CREATED = Date.UTC(2025, 0, 1) / 1000;

/**
 * GET /v1/models (and /v1/models/:id). Both SDKs use this path, so each entry carries the fields of
 * both formats and errors follow the dialect the request's headers suggest.
 */
export function registerModelRoutes(app: FastifyInstance, state: EmulatorState): void {
  app.get('/v1/models', async (request, reply) => {
    const ex = begin(request, reply, state, '');
    if (!authorized(ex, request, state)) return;
    const data = KNOWN_MODELS.map(entry);
    ex.sendJson(200, {
      object: 'list',
      data,
      has_more: false,
      first_id: data[0]?.id,
      last_id: data.at(-1)?.id,
    });
  });

  app.get<{ Params: { model: string } }>('/v1/models/:model', async (request, reply) => {
    const ex = begin(request, reply, state, request.params.model);
    if (!authorized(ex, request, state)) return;
    const found = KNOWN_MODELS.find((m) => m.id === request.params.model);
    const dialect = looksAnthropic(request.headers) ? anthropicError : openaiError;
    if (found) ex.sendJson(200, entry(found));
    else ex.sendError(dialect('model_not_found', { model: request.params.model }));
  });
}

function begin(request: FastifyRequest, reply: FastifyReply, state: EmulatorState, model: string): Exchange {
  const provider = looksAnthropic(request.headers) ? 'anthropic' : 'openai';
  return new Exchange(request, reply, state.calls, { provider, model, path: request.url, stream: false });
}

function authorized(ex: Exchange, request: FastifyRequest, state: EmulatorState): boolean {
  const anthropic = looksAnthropic(request.headers);
  const authError = anthropic
    ? anthropicAuthError(request.headers, state.keys)
    : openaiAuthError(request.headers, state.keys);
  if (authError) ex.sendError((anthropic ? anthropicError : openaiError)(authError, {}));
  return authError === undefined;
}

function entry(model: ModelInfo): Record<string, unknown> {
  return {
    id: model.id,
    object: 'model',
    created: CREATED,
    owned_by: model.ownedBy,
    type: 'model',
    display_name: model.displayName,
    created_at: new Date(CREATED * 1000).toISOString(),
  };
}
