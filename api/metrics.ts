// The API's own Prometheus metrics (requests by route and status, and their latency), served on
// /metrics together with any other registries of the process (e.g. the worker's when they share one).
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  latency: Histogram<'method' | 'route'>;
}

export function createApiMetrics(options: { defaultMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'llm_api_' });
  return {
    registry,
    requests: new Counter({
      name: 'llm_api_http_requests_total',
      help: 'HTTP requests to the API by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'llm_api_http_request_duration_seconds',
      help: 'Time to answer an HTTP request (to the first byte of a stream)',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
  };
}

/** Counts every answered request by its route pattern (never the raw URL: ids would explode the labels). */
export function recordRequests(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
}

export async function metricsText(
  registries: readonly Registry[],
): Promise<{ contentType: string; text: string }> {
  const merged = registries.length === 1 ? registries[0] : Registry.merge([...registries]);
  if (!merged) return { contentType: Registry.PROMETHEUS_CONTENT_TYPE, text: '' };
  return { contentType: merged.contentType, text: await merged.metrics() };
}
