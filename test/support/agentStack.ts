// One real stack for the agent doors' tests: Redis for streams, a Temporal dev server, the provider
// emulator, a worker whose bundle adds the stand-in `agent` workflow (support/agentStandIn), a worker
// for its event-publishing activity, the typed client and the HTTP API with two keys.
import { join } from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { hashKey, StaticKeyStore } from '../../api/keys.js';
import { createApiServer } from '../../api/server.js';
import { OrchestratorClient } from '../../client/client.js';
import { loadModelCatalog, loadRoutingTable } from '../../config/load.js';
import { projectRoot } from '../../config/paths.js';
import { listAgentFiles } from '../../core/agentFiles.js';
import { RedisStreamStore } from '../../core/streaming/redis.js';
import type { StreamEvent } from '../../core/streaming/types.js';
import { loadTemplateRegistry } from '../../core/templates/index.js';
import { type RunningRedis, startRedis } from '../../scripts/redis.js';
import { templatesDir } from '../../workers/config.js';
import { createOrchestratorWorker } from '../../workers/worker.js';
import { eventsQueue, type StandInActivities } from './agentStandIn/agent.js';
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
  const bundle = await bundleWorkflowCode({
    workflowsPath: join(projectRoot, 'test', 'support', 'agentStandIn', 'workflows.ts'),
    logger: {
      log: () => {},
      trace: () => {},
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: console.error,
    },
  });
  const { worker } = await createOrchestratorWorker({
    connection: h.env.nativeConnection,
    taskQueue: h.taskQueue,
    providers: {
      openai: { apiKey: 'test-openai-key', baseURL: h.emulator.openaiBaseURL },
      anthropic: { apiKey: 'test-anthropic-key', baseURL: h.emulator.url },
    },
    settings: testSettings,
    streams: store,
    workflowBundle: bundle,
  });
  const activities: StandInActivities = {
    publishAgentEvent: ({ streamId, event }) => store.publish(streamId, event as unknown as StreamEvent),
  };
  const eventsConnection = await NativeConnection.connect({ address: h.env.address });
  const events = await Worker.create({
    connection: eventsConnection,
    taskQueue: eventsQueue(h.taskQueue),
    activities,
  });
  const running = [worker.run(), events.run()];
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
      events.shutdown();
      await Promise.all(running);
      await eventsConnection.close();
      await h.stop();
      await store.close();
      await redis.stop();
    },
  };
}
