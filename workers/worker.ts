// Builds a worker: loads config and templates once, creates the provider clients once, and registers
// the workflows and activities on the task queue.

import type { DataConverter } from '@temporalio/common';
import {
  bundleWorkflowCode,
  type NativeConnection,
  Worker,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { Redis } from 'ioredis';
import { tokenCounter, warmUpTokenizers } from '../activities/context/tokens.js';
import { type CostControls, createCostControls } from '../activities/costControls.js';
import {
  type ActivityDeps,
  defaultSettings,
  type OrchestratorSettings,
  providerTaskQueue,
} from '../activities/deps.js';
import { type HealthStore, InProcessHealthStore } from '../activities/health/circuit.js';
import { RedisHealthStore } from '../activities/health/redisCircuit.js';
import { createActivities } from '../activities/index.js';
import {
  ProviderRegistry,
  type ProviderSettings,
  providerSettingsFromEnv,
} from '../activities/providers/registry.js';
import { streamStoreFromEnv } from '../activities/streaming/index.js';
import type { StreamPublisher } from '../activities/streaming/types.js';
import { loadTemplateRegistry, type TemplateRegistry } from '../activities/templates/index.js';
import type { RoutingPolicy } from '../common/catalog.js';
import { loadModelCatalog, loadRoutingTable } from '../config/load.js';
import { templatesDir as defaultTemplatesDir } from './config.js';
import { OrchestratorMetrics } from './metrics.js';
import { workflowsPath } from './paths.js';
import { metricsSinks } from './sinks.js';

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

let sharedBundle: Promise<WorkflowBundleOption> | undefined;

/**
 * The workflow bundle, built once per process — or read from WORKFLOW_BUNDLE_PATH, which the test
 * runner builds once for all test files.
 */
export function workflowBundle(): Promise<WorkflowBundleOption> {
  const prebuilt = process.env.WORKFLOW_BUNDLE_PATH;
  sharedBundle ??= prebuilt
    ? Promise.resolve({ codePath: prebuilt })
    : bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
  return sharedBundle as Promise<WorkflowBundleOption>;
}

const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

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
  for (const problem of templates.problems)
    console.warn(`template problem: ${problem.path}: ${problem.message}`);
  if (options.watchTemplates)
    templates.watch({ onError: (e) => console.warn(`template reload failed: ${e}`) });
  const providerSettings = options.providers ?? providerSettingsFromEnv();
  const costControls =
    options.costControls ??
    createCostControls({
      ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
      ...(providerSettings.openai ? { embeddings: providerSettings.openai } : {}),
    });
  const deps: ActivityDeps = {
    templates,
    catalog: () => catalog,
    routing: () => routing,
    providers: new ProviderRegistry(providerSettings),
    costControls,
    health: options.health ?? healthStore(routing.policy),
    settings: {
      ...defaultSettings,
      retry: routing.policy.retry,
      maxRepairs: routing.policy.maxRepairs,
      ...options.settings,
    },
    streams: options.streams ?? streamStoreFromEnv(),
  };
  const metrics = options.metrics ?? new OrchestratorMetrics({ defaultMetrics: false });
  metrics.watchCircuits(() => deps.health.all());
  const activities = createActivities(deps);
  const common = {
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    // Provider calls wait on the network, not the CPU: many can be in flight at once.
    maxConcurrentActivityTaskExecutions: 500,
    // Heartbeats carry cancellation to a provider call; send them often so a cancel aborts quickly.
    maxHeartbeatThrottleInterval: '1 second',
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
  };
  const worker = await Worker.create({
    ...common,
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle ?? (await workflowBundle()),
    activities,
    sinks: metricsSinks(metrics),
    maxConcurrentLocalActivityExecutions: 200,
    maxConcurrentWorkflowTaskExecutions: 200,
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
        // Close the Redis connections we opened; a caller's own cost controls stay the caller's.
        if (!options.costControls) await costControls.close();
      }
    },
    shutdown: () => {
      for (const w of all) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}
