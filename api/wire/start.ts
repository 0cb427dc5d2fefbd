// The steps every door takes to run one call as one durable request: resolve the model name, pick the
// request id (the Idempotency-Key when sent, so a retried POST joins its run), start the workflow
// and make sure a chosen id is the caller's own.
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { OrchestratorClient } from '../../client/client.js';
import type { ModelCatalog, RoutingTable } from '../../common/catalog.js';
import type { LlmRequest } from '../../common/request.js';
import { HttpError } from '../errors.js';
import { confirmOwnRequest, idempotencyKey } from '../idempotency.js';
import { type ModelChoice, modelNames, resolveModel } from '../openai/models.js';

export interface DoorOptions {
  client: OrchestratorClient;
  catalog: () => ModelCatalog;
  routing: () => RoutingTable;
}

/** A catalog model or a task route; 404 naming the known ones otherwise. */
export function chooseModel(options: DoorOptions, name: string): ModelChoice {
  const choice = resolveModel(name, options.catalog(), options.routing());
  if (choice) return choice;
  const known = modelNames(options.catalog(), options.routing()).join(', ');
  throw new HttpError(
    404,
    'UnknownModelError',
    `model "${name}" is neither a catalog model nor a task route; known: ${known}`,
  );
}

/** A fresh id in a door's own style (`chat-…`, `resp_…`, `msg_…`). */
export function newId(prefix: string): string {
  return `${prefix}${randomUUID().replaceAll('-', '')}`;
}

/**
 * Starts the request `build` makes for the id `requestIdFor` picks from the Idempotency-Key (undefined
 * when none was sent). Streaming needs a stream reader on this server.
 */
export async function startDoorRequest(
  options: DoorOptions,
  request: FastifyRequest,
  requestIdFor: (key: string | undefined) => string,
  build: (requestId: string) => LlmRequest,
): Promise<LlmRequest> {
  const key = idempotencyKey(request);
  const requestId = requestIdFor(key);
  const llmRequest = build(requestId);
  if (llmRequest.stream && !options.client.streams) {
    throw new HttpError(
      501,
      'NotImplementedError',
      'streaming is not configured on this server (set REDIS_URL)',
    );
  }
  await options.client.start(llmRequest);
  if (key !== undefined) await confirmOwnRequest(options.client, requestId, llmRequest.caller ?? '');
  return llmRequest;
}
