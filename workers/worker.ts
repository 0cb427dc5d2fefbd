// Builds a worker: loads config and templates once, creates the provider clients once, and registers
// the workflows and activities on the task queue.

import type { DataConverter, Logger } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { Redis } from 'ioredis';
import {
  type ActivityDeps,
  defaultSettings,
  type OrchestratorSettings,
  providerTaskQueue,
} from '../activities/deps.js';
import { createActivities } from '../activities/index.js';
import type { RoutingPolicy } from '../common/catalog.js';
import { loadModelCatalog, loadRoutingTable } from '../config/load.js';
import { tokenCounter, warmUpTokenizers } from '../core/context/tokens.js';
import { type CostControls, createCostControls } from '../core/costControls.js';
import { type HealthStore, InProcessHealthStore } from '../core/health/circuit.js';
import { RedisHealthStore } from '../core/health/redisCircuit.js';
import { requestLogContext } from '../core/logging/logContext.js';
import { type LogSettings, logSettingsFromEnv } from '../core/logging/settings.js';
import { embeddingSource } from '../core/providers/embeddings.js';
import {
  ProviderRegistry,
  type ProviderSettings,
  providerSettingsFromEnv,
} from '../core/providers/registry.js';
import { streamStoreFromEnv } from '../core/streaming/index.js';
import type { StreamPublisher } from '../core/streaming/types.js';
import { loadTemplateRegistry, type TemplateRegistry } from '../core/templates/index.js';
import { buildBundleOutOfProcess } from './bundle.js';
import { templatesDir as defaultTemplatesDir, defaultTuning, type WorkerTuning } from './config.js';
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
  /** Cache, rate limits, budgets, usage ledger; built from REDIS_URL (or in-process) when absent. */
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
  const prebuilt = process.env.WORKFLOW_BUNDLE_PATH;
  if (prebuilt && !failureConverterPath && !tracing) return Promise.resolve({ codePath: prebuilt });
  const key = `${failureConverterPath ?? ''}|${tracing}`;
  const bundle =
    bundles.get(key) ??
    buildBundleOutOfProcess({ ...(failureConverterPath ? { failureConverterPath } : {}), tracing });
  bundles.set(key, bundle);
  return bundle;
}

/** Circuit state shared through Redis when REDIS_URL is set, else kept in this process. */
function healthStore(policy: RoutingPolicy): HealthStore {
  const settings = {
    failureThreshold: policy.circuit.failureThreshold,
    cooldownMs: policy.circuit.cooldownSeconds * 1000,
  };
  const url = process.env.REDIS_URL;
  return url
    ? new RedisHealthStore(new Redis(url, { lazyConnect: false }), settings)
    : new InProcessHealthStore(settings);
}

export async function createOrchestratorWorker(
  options: OrchestratorWorkerOptions,
): Promise<OrchestratorWorker> {
  const catalog = loadModelCatalog(options.catalogFile);
  const routing = loadRoutingTable(catalog, options.routingFile);
  warmUpTokenizers();
  const counter = tokenCounter('o200k_base');
  const templates = await loadTemplateRegistry(options.templatesDir ?? defaultTemplatesDir(), {
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
  const embeddings = embeddingSource(providerSettings);
  const costControls =
    options.costControls ??
    createCostControls({
      ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
      ...(embeddings ? { embeddings } : {}),
    });
  const deps: ActivityDeps = {
    templates,
    catalog: () => catalog,
    routing: () => routing,
    providers: new ProviderRegistry(providerSettings, catalog),
    costControls,
    health: options.health ?? healthStore(routing.policy),
    settings: {
      ...defaultSettings,
      retry: routing.policy.retry,
      maxRepairs: routing.policy.maxRepairs,
      modelCalls: routing.policy.modelCalls ?? defaultSettings.modelCalls,
      ...options.settings,
    },
    streams: options.streams ?? streamStoreFromEnv(),
  };
  const metrics = options.metrics ?? new OrchestratorMetrics({ defaultMetrics: false });
  metrics.watchCircuits(() => deps.health.all());
  const activities = createActivities({ ...deps, logging: options.logging ?? logSettingsFromEnv() });
  const tuning: WorkerTuning = { ...defaultTuning, ...options.tuning };
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
        // Close the Redis connections we opened; a caller's own cost controls stay the caller's.
        if (!options.costControls) await costControls.close();
      }
    },
    shutdown: () => {
      for (const w of all) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}
