// Builds a worker: loads config and templates once, creates the provider clients once, and registers
// the workflows and activities on the task queue.

import type { DataConverter, Logger } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import {
  type ActivityDeps,
  defaultSettings,
  type OrchestratorSettings,
  providerTaskQueue,
} from '../activities/deps.js';
import { createActivities } from '../activities/index.js';
import type { RoutingPolicy } from '../common/catalog.js';
import {
  readBackendSettings,
  readConfigFiles,
  readLogSettings,
  readWorkflowBundlePath,
} from '../config/env.js';
import { loadModelCatalog, loadRoutingTable } from '../config/load.js';
import type { ConfigFiles } from '../config/settings.js';
import { DEFAULT_AGENTS_DIR } from '../core/agents/load.js';
import type { Backend, CostControls } from '../core/backend.js';
import { tokenCounter, warmUpTokenizers } from '../core/context/tokens.js';
import type { CircuitSettings, HealthStore } from '../core/health/circuit.js';
import { requestLogContext } from '../core/logging/logContext.js';
import type { LogSettings } from '../core/logging/settings.js';
import {
  ProviderRegistry,
  type ProviderSettings,
  providerSettingsFromEnv,
} from '../core/providers/registry.js';
import type { StreamPublisher } from '../core/streaming/types.js';
import { loadTemplateRegistry, type TemplateRegistry } from '../core/templates/index.js';
import { BUILTIN_TOOLS } from '../core/tools/builtin.js';
import { loadMcpServers, McpConnections, type McpServerConfig } from '../core/tools/mcp.js';
import { ToolRegistry } from '../core/tools/registry.js';
import type { AgentTool } from '../core/tools/types.js';
import { workerBackend } from './backend.js';
import { batchMetrics } from './batchMetrics.js';
import { buildBundleOutOfProcess } from './bundle.js';
import { defaultTuning, type WorkerTuning } from './config.js';
import { OrchestratorMetrics } from './metrics.js';
import { metricsSinks } from './sinks.js';
import type { Tracing } from './tracing.js';

export interface OrchestratorWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  templatesDir?: string;
  providers?: ProviderSettings;
  settings?: Partial<OrchestratorSettings>;
  health?: HealthStore;
  /** A bundle built once and shared by several workers (tests); built here when absent. */
  workflowBundle?: WorkflowBundleOption;
  /** Watch the templates folder and reload on change. */
  watchTemplates?: boolean;
  /** Where finished requests are counted; a private registry when absent. */
  metrics?: OrchestratorMetrics;
  /** Model catalog and routing table files (default: MODEL_CATALOG / ROUTING_TABLE or config/). */
  catalogFile?: string;
  routingFile?: string;
  /** Where streaming requests publish their deltas; streaming is off without it. */
  streams?: StreamPublisher;
  /**
   * Where shared state lives (core/backend.ts): cache, rate limits, budgets, usage ledger, circuits,
   * streams, pipeline blobs. Built from the environment's settings when absent (and then closed when
   * the worker stops); a given one stays its owner's to close.
   */
  backend?: Backend;
  /** Templates, catalog, routing and cost-control files; from the environment when absent. */
  files?: ConfigFiles;
  /** Cache, rate limits, budgets, usage ledger instead of the backend's. */
  costControls?: CostControls;
  /** Payload codecs (encryption, claim check: see codec/); Temporal's default converter without it. */
  dataConverter?: DataConverter;
  /** Slots and sticky cache (workers/config.ts); main.ts reads them from WORKER_MAX_* variables. */
  tuning?: Partial<WorkerTuning>;
  /** LOG_LEVEL, TRACE_REQUESTS, LOG_TOKEN_USAGE, LOG_PROMPTS; read from the environment when absent. */
  logging?: LogSettings;
  /** Where the worker's own warnings (template problems) go; the console when absent. */
  logger?: Logger;
  /**
   * OpenTelemetry spans for workflows and activities (workers/tracing.ts); off without it. A tracing
   * worker needs a bundle with the tracing interceptors: built here unless `workflowBundle` is given.
   */
  tracing?: Tracing;
  /** TypeScript tools for agents, besides the built-in ones (core/tools/builtin.ts). */
  tools?: AgentTool[];
  /** MCP servers agents may use; MCP_CONFIG's file (default config/mcp.yaml) when absent. */
  mcpServers?: Record<string, McpServerConfig>;
  /** Where agents/<id>.yaml are read; AGENTS_DIR (default agents/) when absent. */
  agentsDir?: string;
}

export interface OrchestratorWorker {
  /** The worker for workflows and local activities (and provider calls unless they have their own queues). */
  worker: Worker;
  /** Activity-only workers, one per provider queue, when provider queues are enabled. */
  providerWorkers: Worker[];
  templates: TemplateRegistry;
  deps: ActivityDeps;
  metrics: OrchestratorMetrics;
  /** Runs every worker until shutdown() (or a signal) stops them. */
  run(): Promise<void>;
  shutdown(): void;
}

const bundles = new Map<string, Promise<WorkflowBundleOption>>();

/**
 * The workflow bundle, built once per process (in a child process: workers/bundle.ts) — or read from
 * WORKFLOW_BUNDLE_PATH, which the test runner builds once for all test files. A custom failure
 * converter (the codec's, which encrypts failure messages) and the tracing interceptors are compiled
 * into the bundle, so a bundle with either is always built here; the default bundle has neither.
 */
export function workflowBundle(
  failureConverterPath?: string,
  tracing = false,
): Promise<WorkflowBundleOption> {
  const prebuilt = readWorkflowBundlePath();
  if (prebuilt && !failureConverterPath && !tracing) return Promise.resolve({ codePath: prebuilt });
  const key = `${failureConverterPath ?? ''}|${tracing}`;
  const bundle =
    bundles.get(key) ??
    buildBundleOutOfProcess({ ...(failureConverterPath ? { failureConverterPath } : {}), tracing });
  bundles.set(key, bundle);
  return bundle;
}

function circuitSettings(policy: RoutingPolicy): CircuitSettings {
  return {
    failureThreshold: policy.circuit.failureThreshold,
    cooldownMs: policy.circuit.cooldownSeconds * 1000,
  };
}

export async function createOrchestratorWorker(
  options: OrchestratorWorkerOptions,
): Promise<OrchestratorWorker> {
  const files = options.files ?? readConfigFiles();
  const catalog = loadModelCatalog(options.catalogFile ?? files.modelCatalog);
  const routing = loadRoutingTable(catalog, options.routingFile ?? files.routingTable);
  warmUpTokenizers();
  const counter = tokenCounter('o200k_base');
  const templates = await loadTemplateRegistry(options.templatesDir ?? files.templatesDir, {
    countTokens: (text) => counter.count(text),
  });
  const warn = (message: string): void => {
    if (options.logger) options.logger.warn(message);
    else console.warn(message);
  };
  const reportProblems = (problems: typeof templates.problems): void => {
    for (const problem of problems) warn(`template problem: ${problem.path}: ${problem.message}`);
  };
  reportProblems(templates.problems);
  const stopWatchingTemplates = options.watchTemplates
    ? templates.watch({ onError: (e) => warn(`template reload failed: ${e}`), onReload: reportProblems })
    : undefined;
  const providerSettings = options.providers ?? providerSettingsFromEnv();
  const backend =
    options.backend ?? workerBackend({ settings: readBackendSettings(), files, providers: providerSettings });
  const tuning: WorkerTuning = { ...defaultTuning, ...options.tuning };
  const deps: ActivityDeps = {
    templates,
    catalog: () => catalog,
    routing: () => routing,
    providers: new ProviderRegistry(providerSettings, catalog),
    costControls: options.costControls ?? backend.costControls,
    health: options.health ?? backend.healthStore(circuitSettings(routing.policy)),
    settings: {
      ...defaultSettings,
      retry: routing.policy.retry,
      maxRepairs: routing.policy.maxRepairs,
      modelCalls: routing.policy.modelCalls ?? defaultSettings.modelCalls,
      heartbeatsPerSecond: tuning.heartbeatsPerSecond,
      ...options.settings,
    },
    streams: options.streams ?? backend.streams,
    blobs: backend.pipelineBlobs,
    pipelinesDir: files.pipelinesDir,
    tools: new ToolRegistry(
      [...BUILTIN_TOOLS, ...(options.tools ?? [])],
      new McpConnections(options.mcpServers ?? loadMcpServers(process.env.MCP_CONFIG?.trim() || undefined)),
    ),
    agentsDir: options.agentsDir ?? (process.env.AGENTS_DIR?.trim() || DEFAULT_AGENTS_DIR),
  };
  const metrics = options.metrics ?? new OrchestratorMetrics({ defaultMetrics: false });
  metrics.watchCircuits(() => deps.health.all());
  const activities = createActivities({
    ...deps,
    batchMetrics: batchMetrics(metrics.registry),
    logging: options.logging ?? readLogSettings(),
  });
  const common = {
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivityTaskExecutions,
    // Heartbeats carry cancellation to a provider call; send them often so a cancel aborts quickly.
    maxHeartbeatThrottleInterval: '1 second',
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    // Request id and model on every activity log line; spans around activities when tracing.
    interceptors: { activity: [requestLogContext, ...(options.tracing?.activityInterceptors ?? [])] },
  };
  const worker = await Worker.create({
    ...common,
    taskQueue: options.taskQueue,
    workflowBundle:
      options.workflowBundle ??
      (await workflowBundle(options.dataConverter?.failureConverterPath, options.tracing !== undefined)),
    activities,
    sinks: {
      ...metricsSinks(metrics, (model) => catalog.models[model]?.pricing),
      ...options.tracing?.workflowSinks,
    },
    maxConcurrentLocalActivityExecutions: tuning.maxConcurrentLocalActivityExecutions,
    maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTaskExecutions,
    ...(tuning.maxCachedWorkflows ? { maxCachedWorkflows: tuning.maxCachedWorkflows } : {}),
  });
  const providerWorkers: Worker[] = [];
  const queues = deps.settings.providerQueues;
  if (queues.enabled) {
    for (const provider of deps.providers.configured()) {
      const limit = queues.maxActivitiesPerSecond?.[provider];
      providerWorkers.push(
        await Worker.create({
          ...common,
          taskQueue: providerTaskQueue(options.taskQueue, provider),
          activities: { invokeProvider: activities.invokeProvider },
          ...(limit ? { maxTaskQueueActivitiesPerSecond: limit } : {}),
        }),
      );
    }
  }
  const all = [worker, ...providerWorkers];
  return {
    worker,
    providerWorkers,
    templates,
    deps,
    metrics,
    run: async () => {
      try {
        await Promise.all(all.map((w) => w.run()));
      } finally {
        // The folder watch would keep the process alive after its workers stopped.
        stopWatchingTemplates?.();
        // Close the Redis connection we opened; a caller's own backend stays the caller's.
        if (!options.backend) await backend.close();
        // Stdio MCP servers are child processes of this worker.
        await deps.tools?.mcp?.close();
      }
    },
    shutdown: () => {
      for (const w of all) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}
