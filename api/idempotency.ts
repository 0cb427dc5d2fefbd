// Idempotency: an `Idempotency-Key` header becomes the request id (the workflow id), so a retried POST
// joins the run it started instead of starting another. An id another caller already uses is refused.
import type { FastifyRequest } from 'fastify';
import type { OrchestratorClient } from '../client/client.js';
import { HttpError } from './errors.js';
import { ownedState } from './requestView.js';

/** Request ids must not contain `/`: child workflows are named `<request id>/<n>-<model>`. */
const REQUEST_ID = /^[^\s/]{1,200}$/;

/** The request's Idempotency-Key, checked; undefined when none was sent. */
export function idempotencyKey(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  const key = (Array.isArray(header) ? header[0] : header)?.trim();
  if (key === undefined) return undefined;
  if (!REQUEST_ID.test(key)) {
    throw new HttpError(
      400,
      'InvalidRequestError',
      'Idempotency-Key must be 1-200 characters without spaces or "/"',
    );
  }
  return key;
}

/**
 * After starting (or joining) a request under an id the caller chose: makes sure the run belongs to
 * this caller, so a chosen id never joins, or reveals, someone else's request.
 */
export async function confirmOwnRequest(
  client: OrchestratorClient,
  requestId: string,
  caller: string,
): Promise<void> {
  try {
    await ownedState(client, requestId, caller);
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) {
      throw new HttpError(409, 'ConflictError', `request id ${requestId} is already in use: choose another`);
    }
    throw error;
  }
}
