// Starts the API server from the environment (what `llm-orchestrator serve` and `npm start` call):
// Temporal at TEMPORAL_ADDRESS, streams and keys in Redis when REDIS_URL is set, keys from API_KEYS_FILE
// / API_KEYS, templates from TEMPLATES_DIR, the model catalog and routing table from config/.
import { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { OrchestratorClient } from '../client/client.js';
import { loadModelCatalog, loadRoutingTable } from '../config/load.js';
import { streamStoreFromEnv } from '../core/streaming/index.js';
import { loadTemplateRegistry } from '../core/templates/index.js';
import { connectionConfig, templatesDir } from '../workers/config.js';
import { processTracing, type Tracing } from '../workers/tracing.js';
import { keyStoreFromEnv } from './keyConfig.js';
import { type ApiLoggerOptions, createApiServer } from './server.js';

export interface RunApiOptions {
  port?: number;
  host?: string;
  env?: NodeJS.ProcessEnv;
  logger?: ApiLoggerOptions;
  /** OpenTelemetry: a span per request start, in the same trace as the workflow; default from the environment. */
  tracing?: Tracing;
  /** Registries of the same process (e.g. the worker's in `npm start`) to serve on /metrics too. */
  metricsRegistries?: readonly Registry[];
  log?: (line: string) => void;
}

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

export async function runApiServer(options: RunApiOptions = {}): Promise<RunningApi> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const config = connectionConfig(env);
  const streams = streamStoreFromEnv(env);
  const tracing = options.tracing ?? processTracing();
  const client = await OrchestratorClient.connect({
    address: config.address,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    streams,
    ...(tracing ? { interceptors: tracing.clientInterceptors() } : {}),
  }).catch((error: unknown) => {
    throw new Error(
      `cannot reach Temporal at ${config.address} (${(error as Error).message}): start it (npm start) or set TEMPORAL_ADDRESS`,
    );
  });
  const redis = env.REDIS_URL ? new Redis(env.REDIS_URL, { lazyConnect: true }) : undefined;
  const keys = keyStoreFromEnv(env, redis);
  const catalog = loadModelCatalog();
  const routing = loadRoutingTable(catalog);
  const templates = await loadTemplateRegistry(templatesDir(env));
  const stopWatching = templates.watch({ onError: (e) => log(`templates: reload failed: ${String(e)}`) });

  const app = await createApiServer({
    client,
    keys: keys.store,
    templates,
    catalog: () => catalog,
    routing: () => routing,
    defaultMetrics: true,
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    ...(options.metricsRegistries ? { metricsRegistries: options.metricsRegistries } : {}),
    readiness: {
      streams: () => streams.ping(),
      ...(redis ? { apiKeys: async () => void (await redis.ping()) } : {}),
    },
  });
  const port = options.port ?? Number(env.API_PORT ?? 8080);
  const host = options.host ?? env.API_HOST ?? '127.0.0.1';
  const address = await app.listen({ port, host });

  log(`API: ${address} (Temporal ${config.address}, task queue "${config.taskQueue}")`);
  log(
    `API keys: ${keys.configured} from config${keys.redis ? ', plus the Redis hash llm:apikeys' : ''}${
      keys.configured === 0 && !keys.redis
        ? ' — NONE: every request gets 401; set API_KEYS or API_KEYS_FILE'
        : ''
    }`,
  );
  log(
    `Streaming: ${env.REDIS_URL ? 'Redis Streams' : 'in-process (only for a worker in this same process; set REDIS_URL otherwise)'}`,
  );
  return {
    url: address,
    close: async () => {
      stopWatching();
      await app.close();
      await streams.close();
      redis?.disconnect();
      await client.temporal.connection.close();
      // Export the spans still buffered; the tracing given by a caller stays the caller's.
      if (!options.tracing) await tracing?.shutdown();
    },
  };
}
