// Starts the API server from the environment (what `llm-orchestrator serve` and `npm start` call):
// Temporal at TEMPORAL_ADDRESS, streams and keys on the backend's Redis when REDIS_URL is set, keys
// from API_KEYS_FILE / API_KEYS, templates from TEMPLATES_DIR, the model catalog and routing table from
// config/. This is a composition root: it reads the settings (config/env.ts) and builds the backend.
import type { ConnectionLike } from '@temporalio/client';
import type { Registry } from 'prom-client';
import { OrchestratorClient } from '../client/client.js';
import {
  readApiSettings,
  readBackendSettings,
  readConfigFiles,
  readTemporalSettings,
} from '../config/env.js';
import { loadModelCatalog, loadRoutingTable } from '../config/load.js';
import { agentsDir, listAgentFiles } from '../core/agentFiles.js';
import { type Backend, createBackend } from '../core/backend.js';
import { loadTemplateRegistry } from '../core/templates/index.js';
import { processTracing, type Tracing } from '../workers/tracing.js';
import { apiKeyStore } from './keyConfig.js';
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
  /** Streams and the API key hash on this backend instead of one built from the environment (left open). */
  backend?: Backend;
  /**
   * The NativeConnection of a worker in this same process (npm start): the API's client is built on
   * it and starts requests eagerly, so a request's first workflow task skips the task queue.
   */
  workerConnection?: ConnectionLike;
  log?: (line: string) => void;
}

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

export async function runApiServer(options: RunApiOptions = {}): Promise<RunningApi> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  // Every setting is read before anything connects: a bad value stops the server at once.
  const config = readTemporalSettings(env);
  const settings = readApiSettings(env);
  const files = readConfigFiles(env);
  // Lazy: nothing connects before Temporal answers, and probes ping (which connects) rather than wait.
  const backend = options.backend ?? createBackend({ settings: readBackendSettings(env), lazyConnect: true });
  const streams = backend.streams;
  const tracing = options.tracing ?? processTracing();
  const client = await OrchestratorClient.connect({
    address: config.address,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    streams,
    ...(tracing ? { interceptors: tracing.clientInterceptors() } : {}),
    ...(options.workerConnection ? { workerConnection: options.workerConnection } : {}),
  }).catch(async (error: unknown) => {
    if (!options.backend) await backend.close();
    throw new Error(
      `cannot reach Temporal at ${config.address} (${(error as Error).message}): start it (npm start) or set TEMPORAL_ADDRESS`,
    );
  });
  const redis = backend.redis;
  const keys = apiKeyStore(settings, redis);
  const catalog = loadModelCatalog(files.modelCatalog);
  const routing = loadRoutingTable(catalog, files.routingTable);
  const templates = await loadTemplateRegistry(files.templatesDir);
  const stopWatching = templates.watch({ onError: (e) => log(`templates: reload failed: ${String(e)}`) });

  const app = await createApiServer({
    client,
    keys: keys.store,
    templates,
    agents: { list: () => listAgentFiles(agentsDir(env)) },
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
  const port = options.port ?? settings.port;
  const host = options.host ?? settings.host;
  const address = await app.listen({ port, host });

  log(
    `API: ${address} (Temporal ${config.address}, task queue "${config.taskQueue}"${client.eagerStart ? ", eager start on the worker's connection" : ''})`,
  );
  log(
    `API keys: ${keys.configured} from config${keys.redis ? ', plus the Redis hash llm:apikeys' : ''}${
      keys.configured === 0 && !keys.redis
        ? ' — NONE: every request gets 401; set API_KEYS or API_KEYS_FILE'
        : ''
    }`,
  );
  log(
    `Streaming: ${backend.kind === 'redis' ? 'Redis Streams' : 'in-process (only for a worker in this same process; set REDIS_URL otherwise)'}`,
  );
  return {
    url: address,
    close: async () => {
      stopWatching();
      await app.close();
      await client.close();
      if (!options.backend) await backend.close();
      // Export the spans still buffered; the tracing given by a caller stays the caller's.
      if (!options.tracing) await tracing?.shutdown();
    },
  };
}
