// The stack a benchmark runs against: by default its own, in this process (a dev server from
// scripts/devServer.ts, the provider emulator, one worker from createOrchestratorWorker), or a
// running one at --address. The Temporal runtime is installed once here with a quiet, counting
// logger and the SDK's Prometheus exporter, so the report can say what the worker's core measured.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  type LogLevel,
  type NativeConnection,
  Runtime,
  type Worker,
} from '@temporalio/worker';
import type { OrchestratorSettings } from '../activities/deps.js';
import { OrchestratorClient } from '../client/client.js';
import type { ModelCallMode } from '../common/catalog.js';
import type { LatencyUpdate } from '../emulator/latency.js';
import { createEmulator, type Emulator } from '../emulator/server.js';
import { startDevServer } from '../scripts/devServer.js';
import { freePort } from '../scripts/freePort.js';
import { createOrchestratorWorker } from '../workers/worker.js';
import { onInterrupt } from './cleanup.js';
import { type ServerInfo, serverInfo } from './report.js';

export interface StackOptions {
  /** A running Temporal frontend; without it the benchmark starts its own dev server. */
  address?: string;
  namespace?: string;
  /** Defaults to a fresh queue for an own stack, LLM_TASK_QUEUE or llm-requests for --address. */
  taskQueue?: string;
  /** Emulator latency for an own stack. */
  latency?: LatencyUpdate;
  /** Run a worker in this process (own stack only; default true). */
  worker?: boolean;
  settings?: Partial<OrchestratorSettings>;
}

export interface WorkerInfo {
  where: 'in this process' | 'child process' | 'external';
  /** The SDK worker options that bound throughput and memory. */
  options: Record<string, unknown>;
  settings?: OrchestratorSettings;
}

export interface Stack {
  address: string;
  namespace: string;
  taskQueue: string;
  temporal: Client;
  client: OrchestratorClient;
  /** The in-process worker's connection (own stack): a client built on it can start workflows eagerly. */
  nativeConnection?: NativeConnection;
  emulator?: Emulator;
  server: ServerInfo;
  worker: WorkerInfo;
  /** The in-process worker core's Prometheus text, when a worker runs in this process. */
  workerMetrics(): Promise<string | undefined>;
  stop(): Promise<void>;
}

// --- runtime ---------------------------------------------------------------------------------------

const logCounts = new Map<string, { level: LogLevel; count: number }>();
let metricsAddress: string | undefined;

/** Installs the Temporal runtime once: warnings and errors counted (printed once each), metrics on. */
export async function installRuntime(): Promise<void> {
  if (metricsAddress) return;
  metricsAddress = `127.0.0.1:${await freePort()}`;
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => {
      const seen = logCounts.get(entry.message);
      if (seen) seen.count += 1;
      else {
        logCounts.set(entry.message, { level: entry.level, count: 1 });
        console.error(`[worker ${entry.level}] ${entry.message} (printed once; counted in the report)`);
      }
    }),
    telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } },
  });
}

/** Warnings and errors the SDK logged during the run, by message. */
export function loggedProblems(): { level: LogLevel; message: string; count: number }[] {
  return [...logCounts.entries()].map(([message, { level, count }]) => ({ level, message, count }));
}

// --- stack -----------------------------------------------------------------------------------------

const REPORTED_WORKER_OPTIONS = [
  'maxConcurrentWorkflowTaskExecutions',
  'maxConcurrentActivityTaskExecutions',
  'maxConcurrentLocalActivityExecutions',
  'maxCachedWorkflows',
  'reuseV8Context',
  'workflowTaskPollerBehavior',
  'activityTaskPollerBehavior',
  'nonStickyToStickyPollRatio',
  'stickyQueueScheduleToStartTimeoutMs',
  'maxHeartbeatThrottleIntervalMs',
  'defaultHeartbeatThrottleIntervalMs',
  'maxActivitiesPerSecond',
  'maxTaskQueueActivitiesPerSecond',
];

export function workerOptionsSummary(worker: Worker): Record<string, unknown> {
  const options = worker.options as unknown as Record<string, unknown>;
  const summary: Record<string, unknown> = {};
  for (const key of REPORTED_WORKER_OPTIONS) if (options[key] !== undefined) summary[key] = options[key];
  return summary;
}

/** `--model-calls child|inline`, checked. */
export function modelCallMode(value: string): ModelCallMode {
  if (value !== 'child' && value !== 'inline' && value !== 'every-child')
    throw new Error(`--model-calls must be child, inline or every-child, not ${JSON.stringify(value)}`);
  return value;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  await installRuntime();
  const namespace = options.namespace ?? 'default';
  if (options.address) {
    const connection = await Connection.connect({ address: options.address });
    const temporal = new Client({ connection, namespace });
    const taskQueue = options.taskQueue ?? process.env.LLM_TASK_QUEUE ?? 'llm-requests';
    return {
      address: options.address,
      namespace,
      taskQueue,
      temporal,
      client: new OrchestratorClient({ client: temporal, taskQueue }),
      server: serverInfo('external', options.address),
      worker: { where: 'external', options: {} },
      workerMetrics: async () => undefined,
      stop: () => connection.close(),
    };
  }

  const env: TestWorkflowEnvironment = await startDevServer();
  const emulator = await createEmulator({ ...(options.latency ? { latency: options.latency } : {}) });
  let worker: { worker: Worker; done: Promise<void>; settings: OrchestratorSettings } | undefined;
  const stop = onInterrupt(async () => {
    if (worker) {
      if (worker.worker.getState() === 'RUNNING') worker.worker.shutdown();
      await worker.done;
    }
    await emulator.close();
    await env.teardown();
  });
  const taskQueue = options.taskQueue ?? `bench-${randomUUID().slice(0, 8)}`;
  if (options.worker !== false) {
    const built = await createOrchestratorWorker({
      connection: env.nativeConnection,
      namespace,
      taskQueue,
      providers: {
        openai: { apiKey: 'bench-openai-key', baseURL: emulator.openaiBaseURL },
        anthropic: { apiKey: 'bench-anthropic-key', baseURL: emulator.url },
      },
      ...(options.settings ? { settings: options.settings } : {}),
    });
    worker = { worker: built.worker, done: built.worker.run(), settings: built.deps.settings };
  }
  const temporal = env.client;
  return {
    address: env.address,
    namespace,
    taskQueue,
    temporal,
    client: new OrchestratorClient({ client: temporal, taskQueue }),
    nativeConnection: env.nativeConnection,
    emulator,
    server: serverInfo('own dev server', env.address),
    worker: worker
      ? { where: 'in this process', options: workerOptionsSummary(worker.worker), settings: worker.settings }
      : { where: 'child process', options: {} },
    workerMetrics: async () => {
      if (!worker || !metricsAddress) return undefined;
      const response = await fetch(`http://${metricsAddress}/metrics`);
      return response.ok ? response.text() : undefined;
    },
    stop,
  };
}
