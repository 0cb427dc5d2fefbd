// The worker's HTTP endpoint: /metrics for Prometheus, /health for the liveness probe (the process
// answers), /health/ready for the readiness probe (Temporal, the worker and Redis are usable).
import { fastify } from 'fastify';
import type { ReadinessReport } from './health.js';
import type { OrchestratorMetrics } from './metrics.js';

export const HTTP_ROUTES = {
  metrics: '/metrics',
  liveness: '/health',
  readiness: '/health/ready',
} as const;

/** The seed's probes use port 8000; WORKER_HTTP_PORT overrides it. */
export const DEFAULT_WORKER_HTTP_PORT = 8000;

export function workerHttpPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WORKER_HTTP_PORT;
  if (raw === undefined || raw === '') return DEFAULT_WORKER_HTTP_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`WORKER_HTTP_PORT must be a port number (0-65535), got "${raw}"`);
  return port;
}

export interface WorkerHttpServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Default 0.0.0.0, so probes and Prometheus reach it from outside the container. */
  host?: string;
  metrics: OrchestratorMetrics;
  readiness: () => Promise<ReadinessReport>;
}

export interface WorkerHttpServer {
  url: string;
  close(): Promise<void>;
}

export async function startWorkerHttpServer(options: WorkerHttpServerOptions): Promise<WorkerHttpServer> {
  const app = fastify({ logger: false });
  app.get(HTTP_ROUTES.metrics, async (_request, reply) => {
    const text = await options.metrics.text();
    return reply.type(options.metrics.contentType).send(text);
  });
  app.get(HTTP_ROUTES.liveness, async () => ({ status: 'ok' }));
  app.get(HTTP_ROUTES.readiness, async (_request, reply) => {
    const report = await options.readiness().catch(
      (error: unknown): ReadinessReport => ({
        ready: false,
        checks: [{ name: 'worker', ok: false, detail: `readiness check threw: ${String(error)}` }],
      }),
    );
    const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
    return reply
      .code(report.ready ? 200 : 503)
      .send({ status: report.ready ? 'ready' : 'unavailable', failed, checks: report.checks });
  });
  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
