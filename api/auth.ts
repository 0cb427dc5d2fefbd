// No key, no access: every route in an authenticated scope needs `Authorization: Bearer <key>` (what
// the OpenAI client sends) or `X-API-Key: <key>`, checked before the body is even parsed, so a refused
// request starts nothing. The identity found becomes the request's `caller`.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';
import { type ApiIdentity, type ApiKeyStore, callerOf } from './keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on authenticated routes. */
    identity?: ApiIdentity;
  }
}

/** The key a request presents, if any. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1];
  }
  const header = request.headers['x-api-key'];
  const key = Array.isArray(header) ? header[0] : header;
  return key?.trim() || undefined;
}

export function authHook(keys: ApiKeyStore): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (request) => {
    const key = presentedKey(request);
    if (!key) {
      throw new HttpError(
        401,
        'AuthenticationError',
        'no API key: send `Authorization: Bearer <key>` or `X-API-Key: <key>`',
      );
    }
    const identity = await keys.find(key);
    if (!identity) throw new HttpError(401, 'AuthenticationError', 'the API key is not valid');
    request.identity = identity;
  };
}

/** The caller of an authenticated request. */
export function requestCaller(request: FastifyRequest): string {
  if (!request.identity) throw new HttpError(401, 'AuthenticationError', 'not authenticated');
  return callerOf(request.identity);
}
