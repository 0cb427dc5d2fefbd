// Builds a worker: loads config and templates once, creates the provider clients once, and registers
// the workflows and activities on the task queue.
import {
  bundleWorkflowCode,
  type NativeConnection,
  Worker,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { tokenCounter, warmUpTokenizers } from '../activities/context/tokens.js';
import { type ActivityDeps, defaultSettings, type OrchestratorSettings } from '../activities/deps.js';
import { type HealthStore, InProcessHealthStore } from '../activities/health/circuit.js';
import { createActivities } from '../activities/index.js';
import {
  ProviderRegistry,
  type ProviderSettings,
  providerSettingsFromEnv,
} from '../activities/providers/registry.js';
import { loadTemplateRegistry, type TemplateRegistry } from '../activities/templates/index.js';
import { loadModelCatalog, loadRoutingTable } from '../config/load.js';
import { templatesDir as defaultTemplatesDir } from './config.js';
import { workflowsPath } from './paths.js';

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
  /** Model catalog and routing table files (default: MODEL_CATALOG / ROUTING_TABLE or config/). */
  catalogFile?: string;
  routingFile?: string;
}

export interface OrchestratorWorker {
  worker: Worker;
  templates: TemplateRegistry;
  deps: ActivityDeps;
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
  const deps: ActivityDeps = {
    templates,
    catalog: () => catalog,
    routing: () => routing,
    providers: new ProviderRegistry(options.providers ?? providerSettingsFromEnv()),
    health: options.health ?? new InProcessHealthStore(),
    settings: { ...defaultSettings, ...options.settings },
  };
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle ?? (await workflowBundle()),
    activities: createActivities(deps),
    // Provider calls wait on the network, not the CPU: many can be in flight at once.
    maxConcurrentActivityTaskExecutions: 500,
    maxConcurrentLocalActivityExecutions: 200,
    maxConcurrentWorkflowTaskExecutions: 200,
    // Heartbeats carry cancellation to a provider call; send them often so a cancel aborts quickly.
    maxHeartbeatThrottleInterval: '1 second',
  });
  return { worker, templates, deps };
}
