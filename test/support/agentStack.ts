// One real stack for the agent doors' tests: Redis for streams, a Temporal dev server, the provider
// emulator, a worker (with the `agent` workflow, the built-in tools and the test agents of
// test/fixtures/agents), the typed client and the HTTP API with two keys.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { hashKey, StaticKeyStore } from '../../api/keys.js';
import { createApiServer } from '../../api/server.js';
import { OrchestratorClient } from '../../client/client.js';
import { loadModelCatalog, loadRoutingTable } from '../../config/load.js';
import { projectRoot } from '../../config/paths.js';
import { listAgentFiles } from '../../core/agentFiles.js';
import { RedisStreamStore } from '../../core/streaming/redis.js';
import { loadTemplateRegistry } from '../../core/templates/index.js';
import { type RunningRedis, startRedis } from '../../scripts/redis.js';
import { templatesDir } from '../../workers/config.js';
import { createOrchestratorWorker } from '../../workers/worker.js';
import { type Harness, startHarness, testSettings } from './harness.js';

export const AGENT_KEY = 'test-key-agents-0123456789';
export const STRANGER_KEY = 'test-key-stranger-0123456789';
export const AGENT_CALLER = 'agents-app';
export const TEST_AGENTS_DIR: string = join(projectRoot, 'test', 'fixtures', 'agents');

export interface AgentStack {
  h: Harness;
  redis: RunningRedis;
  client: OrchestratorClient;
  base: string;
  /** The environment a CLI command needs to reach this stack. */
  cliEnv: Record<string, string>;
  stop(): Promise<void>;
}

export async function startAgentStack(): Promise<AgentStack> {
  const redis = await startRedis();
  const store = new RedisStreamStore({ url: redis.url });
  const h = await startHarness({ worker: false });
  const { worker } = await createOrchestratorWorker({
    connection: h.env.nativeConnection,
    taskQueue: h.taskQueue,
    providers: {
      openai: { apiKey: 'test-openai-key', baseURL: h.emulator.openaiBaseURL },
      anthropic: { apiKey: 'test-anthropic-key', baseURL: h.emulator.url },
    },
    settings: testSettings,
    streams: store,
    agentsDir: TEST_AGENTS_DIR,
    mcpServers: {},
  });
  const running = worker.run();
  const client = new OrchestratorClient({ client: h.env.client, taskQueue: h.taskQueue, streams: store });
  const catalog = loadModelCatalog();
  const routing = loadRoutingTable(catalog);
  const app: FastifyInstance = await createApiServer({
    client,
    keys: new StaticKeyStore([
      { keyHash: hashKey(AGENT_KEY), caller: AGENT_CALLER },
      { keyHash: hashKey(STRANGER_KEY), caller: 'stranger' },
    ]),
    templates: await loadTemplateRegistry(templatesDir()),
    agents: { list: () => listAgentFiles(TEST_AGENTS_DIR) },
    catalog: () => catalog,
    routing: () => routing,
    logger: false,
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    h,
    redis,
    client,
    base,
    cliEnv: { TEMPORAL_ADDRESS: h.env.address, LLM_TASK_QUEUE: h.taskQueue, REDIS_URL: redis.url },
    stop: async () => {
      await app.close();
      worker.shutdown();
      await running;
      await h.stop();
      await store.close();
      await redis.stop();
    },
  };
}
