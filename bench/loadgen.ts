// The seed's run_load_test: send `count` requests through the orchestrator with at most `concurrency`
// in flight, each with variables from a generator, and summarise success rate and latency. The
// benchmarks and the failure drills both drive load through here.
import { randomUUID } from 'node:crypto';
import type { OrchestratorClient } from '../client/client.js';
import { failureType } from '../common/errors.js';
import type { JsonValue, LlmRequest, LlmResult } from '../common/request.js';
import { type LatencyStats, latencyStats, round } from './report.js';

/** Variables for the index-th request; the request id makes every prompt unique, so none is a cache hit. */
export type VariablesGenerator = (index: number, requestId: string) => Record<string, JsonValue>;

export interface LoadOptions {
  client: OrchestratorClient;
  count: number;
  concurrency: number;
  taskType: string;
  templateId: string;
  variables: VariablesGenerator;
  /** Extra request fields (model, fallbackModels, …) for every request. */
  request?: Partial<LlmRequest>;
  /** Request ids are `${idPrefix}-${index}`; a fresh random prefix by default. */
  idPrefix?: string;
  /** Sends a request some other way than `client.process` (the benchmarks' floor workflows). */
  execute?: (request: LlmRequest) => Promise<LlmResult | undefined>;
  /** Starts at most this many requests a second (the i-th not before i / rate s); no pacing when absent. */
  startsPerSecond?: number;
  /** Called as each request settles (progress lines, drills counting). */
  onSettled?: (record: RequestRecord) => void;
}

export interface RequestRecord {
  index: number;
  requestId: string;
  status: 'success' | 'error';
  /** Wall-clock time at the client from start() to the result, ms. */
  latencyMs: number;
  /** Epoch ms when the client started the request and when it had the result. */
  startedAtMs: number;
  finishedAtMs: number;
  result?: LlmResult;
  errorType?: string;
  error?: string;
}

export interface LoadSummary {
  totalRequests: number;
  successfulRequests: number;
  failedRequests: number;
  successRate: number;
  /** Latency of successful requests (the seed's average/p50/p95/p99). */
  latency: LatencyStats;
  wallSeconds: number;
  /** Successful requests per second of wall time. */
  completedPerSecond: number;
  errorsByType: Record<string, number>;
  /** Successful requests answered from the orchestrator's cache (no provider call). */
  cachedResults: number;
}

/** Sends one request and records how it ended; never throws, even for a request that is not an object. */
export async function timedRequest(
  client: OrchestratorClient,
  request: LlmRequest,
  index = 0,
  execute: (request: LlmRequest) => Promise<LlmResult | undefined> = (r) => client.process(r),
): Promise<RequestRecord> {
  const requestId = String((request as Partial<LlmRequest> | null)?.requestId ?? '');
  const startedAtMs = Date.now();
  const started = performance.now();
  try {
    const result = await execute(request);
    return {
      index,
      requestId,
      status: 'success',
      latencyMs: performance.now() - started,
      startedAtMs,
      finishedAtMs: Date.now(),
      ...(result ? { result } : {}),
    };
  } catch (error) {
    return {
      index,
      requestId,
      status: 'error',
      latencyMs: performance.now() - started,
      startedAtMs,
      finishedAtMs: Date.now(),
      errorType: failureType(error) ?? (error as Error).name ?? 'Error',
      // A client error's own message is generic ("Failed to get Workflow execution history"): keep its cause.
      error:
        [error, (error as { cause?: unknown }).cause]
          .filter((e): e is Error => e instanceof Error)
          .map((e) => e.message)
          .join(': ') || String(error),
    };
  }
}

/** Runs `count` requests, `concurrency` at a time; records come back in index order. */
export async function runLoad(options: LoadOptions): Promise<{ records: RequestRecord[]; wallMs: number }> {
  const prefix = options.idPrefix ?? `load-${randomUUID().slice(0, 8)}`;
  const records: RequestRecord[] = new Array(options.count);
  let next = 0;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    while (next < options.count) {
      const index = next++;
      if (options.startsPerSecond) {
        const startAt = started + (index * 1000) / options.startsPerSecond;
        const waitMs = startAt - performance.now();
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
      const requestId = `${prefix}-${index}`;
      const request: LlmRequest = {
        requestId,
        taskType: options.taskType,
        templateId: options.templateId,
        variables: options.variables(index, requestId),
        ...options.request,
      };
      const record = await timedRequest(options.client, request, index, options.execute);
      records[index] = record;
      options.onSettled?.(record);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, lane));
  return { records, wallMs: performance.now() - started };
}

export function summarise(records: readonly RequestRecord[], wallMs: number): LoadSummary {
  const successes = records.filter((r) => r.status === 'success');
  const errorsByType: Record<string, number> = {};
  for (const record of records) {
    if (record.status === 'error') {
      const type = record.errorType ?? 'Error';
      errorsByType[type] = (errorsByType[type] ?? 0) + 1;
    }
  }
  return {
    totalRequests: records.length,
    successfulRequests: successes.length,
    failedRequests: records.length - successes.length,
    successRate: records.length ? round(successes.length / records.length, 4) : 0,
    latency: latencyStats(successes.map((r) => r.latencyMs)),
    wallSeconds: round(wallMs / 1000, 2),
    completedPerSecond: round(successes.length / (wallMs / 1000)),
    errorsByType,
    cachedResults: successes.filter((r) => r.result?.cached).length,
  };
}

// --- variables generators ------------------------------------------------------------------------

/** Named generators for the CLI's --variables option. */
export const variablesGenerators: Record<string, { description: string; make: VariablesGenerator }> = {
  question: {
    description: 'general_qa: { question } unique per request',
    make: (i, id) => ({ question: `What is request number ${i} (${id}) about? Answer in one sentence.` }),
  },
  'question-context': {
    description: 'general_qa: { question, context } with ~2 KB of context',
    make: (i, id) => ({
      question: `Which item mentions number ${i} (${id})?`,
      context: Array.from(
        { length: 40 },
        (_, k) => `Item ${k}: note ${i * 40 + k} about durable workflows.`,
      ).join('\n'),
    }),
  },
};
