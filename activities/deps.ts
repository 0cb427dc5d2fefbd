// What the activities need from the world, passed in by the worker (or a test) so nothing is
// constructed per call and tests can use real or scripted dependencies without module mocking.
import { type BatchSettings, DEFAULT_BATCH_SETTINGS } from '../common/batches.js';
import type { ModelCallMode, ModelCatalog, ProviderName, RoutingTable } from '../common/catalog.js';
import type { ProviderRetry } from '../common/plan.js';
import type { RenderedPrompt, RenderPromptInput } from '../common/prompt.js';
import { defaultTuning } from '../config/env.js';
import type { CostControls } from '../core/backend.js';
import type { BatchCounters } from '../core/batches/metrics.js';
import type { HealthStore } from '../core/health/circuit.js';
import type { BlobStore } from '../core/pipelines/blobs.js';
import type { ProviderRegistry } from '../core/providers/registry.js';
import type { StreamPublisher } from '../core/streaming/types.js';
import type { ToolRegistry } from '../core/tools/registry.js';

/** Renders templates; the template registry implements it. */
export interface PromptRenderer {
  render(input: RenderPromptInput): RenderedPrompt;
}

/** Provider calls on their own task queues (`<queue>-<provider>`), so one slow provider cannot take every activity slot. */
export interface ProviderQueues {
  enabled: boolean;
  /** Temporal's task-queue rate limit per provider (activities per second across all workers). */
  maxActivitiesPerSecond?: Partial<Record<ProviderName, number>>;
}

export interface OrchestratorSettings {
  retry: ProviderRetry;
  providerQueues: ProviderQueues;
  maxRepairs: number;
  /** Each model of a chain as a child workflow (default) or inline in the request's history. */
  modelCalls: ModelCallMode;
  /**
   * How often a provider call heartbeats while few are in flight, so cancellation reaches it and a
   * dead worker is noticed (activities/heartbeats.ts).
   */
  heartbeatIntervalMs: number;
  /** Heartbeats a second this worker's provider calls share: with more in flight, each beats less often. */
  heartbeatsPerSecond: number;
  /** Failure drills only: hold each answered provider call this long before completing it. */
  holdAfterAnswerMs?: number;
  /** How non-urgent requests are collected into provider batches and how those are polled. */
  batches: BatchSettings;
}

export const defaultSettings: OrchestratorSettings = {
  retry: { maxAttempts: 5, initialIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 30_000 },
  maxRepairs: 2,
  modelCalls: 'child',
  heartbeatIntervalMs: 1000,
  heartbeatsPerSecond: defaultTuning.heartbeatsPerSecond,
  providerQueues: { enabled: false },
  batches: DEFAULT_BATCH_SETTINGS,
};

export function providerTaskQueue(taskQueue: string, provider: ProviderName): string {
  return `${taskQueue}-${provider}`;
}

export interface ActivityDeps {
  templates: PromptRenderer;
  catalog: () => ModelCatalog;
  routing: () => RoutingTable;
  providers: ProviderRegistry;
  health: HealthStore;
  settings: OrchestratorSettings;
  /** Where streaming requests publish their deltas; streaming is off without it. */
  streams?: StreamPublisher;
  /** Response cache, rate limits, budgets and usage ledger; in-process ones when absent. */
  costControls?: CostControls;
  /** Where pipelines keep large values; the .data/blobs directory when absent. */
  blobs?: BlobStore;
  /** Where pipeline definitions are read from by name; the project's pipelines/ when absent. */
  pipelinesDir?: string;
  /** The tools agents may call (TypeScript and MCP); the built-in ones when absent. */
  tools?: ToolRegistry;
  /** Where agents/<id>.yaml are read; the project's agents/ when absent. */
  agentsDir?: string;
  /** Counts batch items queued, submitted, completed and the money saved; nothing when absent. */
  batchMetrics?: BatchCounters;
}
