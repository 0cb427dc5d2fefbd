// Everything an end-to-end test needs, all real: a Temporal dev server (or the time-skipping test
// server), the provider emulator, a worker on its own task queue, and the typed client.
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { OrchestratorSettings } from '../../activities/deps.js';
import { OrchestratorClient } from '../../client/client.js';
import type { HealthStore } from '../../core/health/circuit.js';
import type { ProviderSettings } from '../../core/providers/registry.js';
import { createEmulator, type Emulator, type EmulatorOptions } from '../../emulator/server.js';
import { startDevServer } from '../../scripts/devServer.js';
import { createOrchestratorWorker, type OrchestratorWorker } from '../../workers/worker.js';
import { startTimeSkippingServer } from './timeSkipping.js';

export interface WorkerOverrides {
  /** Provider endpoints; the emulator's by default. */
  providers?: ProviderSettings;
  settings?: Partial<OrchestratorSettings>;
  health?: HealthStore;
  costControls?: import('../../core/backend.js').CostControls;
  catalogFile?: string;
  routingFile?: string;
  templatesDir?: string;
  /** Agents' extra TypeScript tools, MCP servers and definitions folder. */
  tools?: import('../../core/tools/types.js').AgentTool[];
  mcpServers?: Record<string, import('../../core/tools/mcp.js').McpServerConfig>;
  agentsDir?: string;
}

export interface Harness {
  env: TestWorkflowEnvironment;
  emulator: Emulator;
  client: OrchestratorClient;
  taskQueue: string;
  /** Starts (another) worker on the harness's task queue; stopped by `stop()`. */
  startWorker(overrides?: WorkerOverrides): Promise<OrchestratorWorker & { stop(): Promise<void> }>;
  stop(): Promise<void>;
}

/** Fast retries for tests; the back-off logic is the production one, only its numbers are smaller. */
export const testSettings: Partial<OrchestratorSettings> = {
  retry: { maxAttempts: 4, initialIntervalMs: 100, backoffCoefficient: 2, maxIntervalMs: 1000 },
};

// Worker logs at WARN would print every expected provider failure the tests provoke.
Runtime.install({
  logger: new DefaultLogger((process.env.TEST_LOG_LEVEL as 'ERROR' | undefined) ?? 'ERROR'),
});

/**
 * The time-skipping test server when asked; else the run's shared dev server when the test runner
 * started one (scripts/testRun.ts sets TEST_TEMPORAL_ADDRESS); else a dev server of this file's own.
 */
async function temporalServer(timeSkipping: boolean): Promise<TestWorkflowEnvironment> {
  if (timeSkipping) return startTimeSkippingServer();
  const shared = process.env.TEST_TEMPORAL_ADDRESS;
  return shared ? TestWorkflowEnvironment.createFromExistingServer({ address: shared }) : startDevServer();
}

export async function startHarness(
  options: {
    worker?: WorkerOverrides | false;
    emulator?: EmulatorOptions;
    /** On the time-skipping test server (support/timeSkipping.ts) instead of the dev server. */
    timeSkipping?: boolean;
  } = {},
): Promise<Harness> {
  const env = await temporalServer(options.timeSkipping ?? false);
  const emulator = await createEmulator(options.emulator ?? {});
  const taskQueue = `test-${randomUUID()}`;
  const client = new OrchestratorClient({ client: env.client, taskQueue });
  const running: { worker: OrchestratorWorker; done: Promise<void>; connection: NativeConnection }[] = [];

  const startWorker: Harness['startWorker'] = async (overrides = {}) => {
    // Core allows one worker per connection and task queue: later workers get their own connection.
    const connection =
      running.length === 0 ? env.nativeConnection : await NativeConnection.connect({ address: env.address });
    const built = await createOrchestratorWorker({
      connection,
      taskQueue,
      providers: overrides.providers ?? {
        openai: { apiKey: 'test-openai-key', baseURL: emulator.openaiBaseURL },
        anthropic: { apiKey: 'test-anthropic-key', baseURL: emulator.url },
      },
      settings: { ...testSettings, ...overrides.settings },
      ...(overrides.health ? { health: overrides.health } : {}),
      ...(overrides.costControls ? { costControls: overrides.costControls } : {}),
      ...(overrides.catalogFile ? { catalogFile: overrides.catalogFile } : {}),
      ...(overrides.routingFile ? { routingFile: overrides.routingFile } : {}),
      ...(overrides.templatesDir ? { templatesDir: overrides.templatesDir } : {}),
      ...(overrides.tools ? { tools: overrides.tools } : {}),
      mcpServers: overrides.mcpServers ?? {},
      ...(overrides.agentsDir ? { agentsDir: overrides.agentsDir } : {}),
    });
    const entry = { worker: built, done: built.run(), connection };
    running.push(entry);
    return {
      ...built,
      stop: async () => {
        entry.worker.shutdown();
        await entry.done;
      },
    };
  };

  if (options.worker !== false) await startWorker(options.worker || {});

  return {
    env,
    emulator,
    client,
    taskQueue,
    startWorker,
    stop: async () => {
      for (const { worker } of running) worker.shutdown();
      await Promise.allSettled(running.map((r) => r.done));
      await Promise.allSettled(
        running.filter((r) => r.connection !== env.nativeConnection).map((r) => r.connection.close()),
      );
      await emulator.close();
      await env.teardown();
    },
  };
}

/** A request id unique to this run, readable in the UI. */
export function requestId(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}
