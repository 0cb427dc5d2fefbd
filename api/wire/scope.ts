// A door's routes in their own Fastify scope, with an error handler that answers in that door's API
// shape (validation errors, auth refusals from the parent's hook and failures alike). Failures are
// final, since the orchestrator already retried and fell back, so answers say `x-should-retry: false`.
import type { FastifyError, FastifyInstance } from 'fastify';
import { type DoorFailure, doorFailure } from './failure.js';

export interface DoorErrorReply {
  status: number;
  body: unknown;
}

export function registerDoor(
  app: FastifyInstance,
  answer: (failure: DoorFailure) => DoorErrorReply,
  routes: (door: FastifyInstance) => void,
): void {
  void app.register(async (door) => {
    door.setErrorHandler((error: FastifyError, request, reply) => {
      const failure = doorFailure(error);
      if (failure.status >= 500) request.log.error({ err: error }, 'request failed');
      if (failure.body.type !== 'InternalError') reply.header('x-should-retry', 'false');
      const { status, body } = answer(failure);
      return reply.code(status).send(body);
    });
    routes(door);
  });
}
