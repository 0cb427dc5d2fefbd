// Probes and metrics, open without a key: /health (the process answers), /health/ready (Temporal and
// the stream store answer, so requests can be served), /metrics (Prometheus).
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { metricsText } from '../metrics.js';
import { healthSchema, metricsResponse, readinessSchema, serializedAsBefore } from '../schemas.js';

/** A named dependency check: resolves when the dependency can be used. */
export type ReadinessCheck = () => Promise<void>;

const CHECK_TIMEOUT_MS = 2000;

export function registerHealthRoutes(
  app: FastifyInstance,
  checks: Record<string, ReadinessCheck>,
  registries: () => readonly Registry[],
): void {
  // Open routes: no key (`security: []`).
  const documented = (response: Record<string, unknown>) => ({
    schema: { security: [], response },
    serializerCompiler: serializedAsBefore,
  });
  app.get('/health', documented({ 200: healthSchema }), async () => ({ status: 'ok' }));

  app.get(
    '/health/ready',
    documented({ 200: readinessSchema, 503: readinessSchema }),
    async (_request, reply) => {
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          try {
            await withTimeout(check(), CHECK_TIMEOUT_MS);
            return [name, { ok: true }] as const;
          } catch (error) {
            return [name, { ok: false, error: (error as Error).message }] as const;
          }
        }),
      );
      const ready = results.every(([, result]) => result.ok);
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
    },
  );

  app.get('/metrics', documented({ 200: metricsResponse }), async (_request, reply) => {
    const { contentType, text } = await metricsText(registries());
    return reply.type(contentType).send(text);
  });
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
