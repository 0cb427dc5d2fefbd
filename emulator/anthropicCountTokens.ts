// POST /v1/messages/count_tokens.
import type { FastifyInstance } from 'fastify';
import { anthropicError } from './anthropicErrors.js';
import { parseCountTokensRequest } from './anthropicRequest.js';
import { anthropicAuthError } from './auth.js';
import { recordRequest } from './callDetails.js';
import { estimatePromptTokens } from './conversation.js';
import { Exchange } from './exchange.js';
import { findModel } from './models.js';
import { modelOf, tryParse } from './requestFields.js';
import type { EmulatorState } from './state.js';

/**
 * POST /v1/messages/count_tokens: the whole prompt's size with the same counting as /v1/messages, so
 * it equals that call's usage.input_tokens, plus any cache tokens configured for the model (Anthropic
 * counts the whole prompt here, while usage splits the cached part out). Authentication and
 * validation apply; latency and scripted faults do not (they are meant for generation calls).
 */
export function registerAnthropicCountTokens(app: FastifyInstance, state: EmulatorState): void {
  app.post('/v1/messages/count_tokens', async (request, reply) => {
    const { value: conv, invalid } = tryParse(() => parseCountTokensRequest(request.body));
    const model = modelOf(request.body);
    const ex = new Exchange(request, reply, state.calls, {
      provider: 'anthropic',
      model,
      path: '/v1/messages/count_tokens',
      stream: false,
    });
    const authError = anthropicAuthError(request.headers, state.keys);
    if (authError) return ex.sendError(anthropicError(authError, {}));
    if (invalid || !conv) return ex.sendError(anthropicError('bad_request', invalid ?? {}));
    if (state.strictModels && !findModel(model))
      return ex.sendError(anthropicError('model_not_found', { model }));
    recordRequest(ex.record, conv);
    const promptTokens = estimatePromptTokens(conv);
    ex.setTokens(promptTokens);
    const extra = state.usage.for(model);
    ex.sendJson(200, { input_tokens: promptTokens + extra.cacheReadTokens + extra.cacheWriteTokens });
  });
}
