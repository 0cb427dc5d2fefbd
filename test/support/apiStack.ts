// One real stack for the HTTP doors' tests: Redis for streams, a Temporal dev server, the provider
// emulator, a worker on its own task queue and the API server with one key (and any others).

import type { FastifyInstance } from 'fastify';
import { hashKey, StaticKeyStore } from '../../api/keys.js';
import type { ApiServerOptions } from '../../api/server.js';
import { createApiServer } from '../../api/server.js';
import { OrchestratorClient } from '../../client/client.js';
import type { LlmResult } from '../../common/request.js';
import { loadModelCatalog, loadRoutingTable } from '../../config/load.js';
import { RedisStreamStore } from '../../core/streaming/redis.js';
import { loadTemplateRegistry } from '../../core/templates/index.js';
import { type RunningRedis, startRedis } from '../../scripts/redis.js';
import { templatesDir } from '../../workers/config.js';
import { createOrchestratorWorker, type OrchestratorWorkerOptions } from '../../workers/worker.js';
import { type Harness, startHarness, testSettings } from './harness.js';

export interface ApiStack {
  h: Harness;
  redis: RunningRedis;
  /** A typed client on the stack's task queue and stream store. */
  client: OrchestratorClient;
  /** The environment a CLI command needs to reach this stack. */
  cliEnv: Record<string, string>;
  /** The API's base URL, e.g. http://127.0.0.1:1234 */
  base: string;
  key: string;
  /** The workflow's own record of a request. */
  result(requestId: string): Promise<LlmResult>;
  /** Another API server on the same Temporal, sharing no memory with the first: its base URL. */
  openApi(): Promise<string>;
  stop(): Promise<void>;
}

/** What a suite adds to the stack's worker and API server (the agent doors: agents and their tools). */
export interface ApiStackExtras {
  worker?: Pick<OrchestratorWorkerOptions, 'agentsDir' | 'mcpServers'>;
  api?: Pick<ApiServerOptions, 'agents'>;
}

/** Keys and their callers: the first is the stack's `key`; others act as strangers to its requests. */
export async function startApiStack(
  key: string,
  caller = 'door-app',
  others: Record<string, string> = {},
  extras: ApiStackExtras = {},
): Promise<ApiStack> {
  const redis = await startRedis();
  const store = new RedisStreamStore({ url: redis.url });
  const h = await startHarness({ worker: false });
  // The worker publishes to the same stream store the API reads.
  const { worker } = await createOrchestratorWorker({
    connection: h.env.nativeConnection,
    taskQueue: h.taskQueue,
    providers: {
      openai: { apiKey: 'test-openai-key', baseURL: h.emulator.openaiBaseURL },
      anthropic: { apiKey: 'test-anthropic-key', baseURL: h.emulator.url },
    },
    settings: testSettings,
    streams: store,
    ...extras.worker,
  });
  const running = worker.run();
  const client = new OrchestratorClient({ client: h.env.client, taskQueue: h.taskQueue, streams: store });
  const catalog = loadModelCatalog();
  const routing = loadRoutingTable(catalog);
  const templates = await loadTemplateRegistry(templatesDir());
  const apps: FastifyInstance[] = [];
  const openApi = async (): Promise<string> => {
    const app = await createApiServer({
      client: new OrchestratorClient({ client: h.env.client, taskQueue: h.taskQueue, streams: store }),
      keys: new StaticKeyStore([
        { keyHash: hashKey(key), caller },
        ...Object.entries(others).map(([k, c]) => ({ keyHash: hashKey(k), caller: c })),
      ]),
      templates,
      ...extras.api,
      catalog: () => catalog,
      routing: () => routing,
      logger: false,
    });
    apps.push(app);
    return app.listen({ port: 0, host: '127.0.0.1' });
  };
  const base = await openApi();
  return {
    h,
    redis,
    client,
    cliEnv: { TEMPORAL_ADDRESS: h.env.address, LLM_TASK_QUEUE: h.taskQueue, REDIS_URL: redis.url },
    base,
    key,
    result: (id) => client.result(id),
    openApi,
    stop: async () => {
      await Promise.all(apps.map((app) => app.close()));
      worker.shutdown();
      await running;
      await h.stop();
      await store.close();
      await redis.stop();
    },
  };
}
