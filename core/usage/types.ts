// The usage ledger: every provider call's real usage and cost, recorded once under a key that names
// the call (workflow, activity, attempt), so retries and replays never count twice. Totals per day
// by model, task type, caller and provider, and per request.
import { COST_KINDS, type CostKind } from '../../common/catalog.js';
import type { TokenUsage } from '../../common/request.js';

export interface UsageRecord {
  /** `${workflowId}/${activityId}/${attempt}`: the same call always gets the same key. */
  callKey: string;
  requestId: string;
  taskType: string;
  model: string;
  provider: string;
  caller?: string;
  usage: TokenUsage;
  costUsd: number;
  /** costUsd by kind of token (costBreakdown in common/catalog.ts, as dollars); its kinds add up to costUsd. */
  costByKind?: Partial<Record<CostKind, number>>;
  /** What was called: a model's answer (the default) or an embedding for the semantic cache. */
  purpose?: 'completion' | 'embedding';
  /** Epoch ms of the call; its UTC day is the day it counts in. */
  at: number;
}

export type UsageDimension = 'model' | 'task' | 'caller' | 'provider';

export const USAGE_DIMENSIONS: readonly UsageDimension[] = ['model', 'task', 'caller', 'provider'];

export interface UsageTotals {
  /** Provider calls counted. */
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  /** Of cacheWriteTokens, written with the 1-hour TTL. */
  cacheWrite1hTokens: number;
  reasoningTokens: number;
  imageInputTokens: number;
  /** Embedding calls among `calls` (semantic cache). */
  embeddingCalls: number;
  /** Exact sum (integer 1e-8 dollar units underneath). */
  costUsd: number;
  /** costUsd by kind of token; the kinds add up to costUsd exactly. */
  costByKind: Record<CostKind, number>;
}

export interface UsageRow extends UsageTotals {
  /** The model, task type, caller or provider. */
  key: string;
}

export interface UsageQuery {
  by: UsageDimension;
  /** First UTC day counted, `YYYY-MM-DD` (default: the first recorded). */
  since?: string;
  /** Last UTC day counted, `YYYY-MM-DD` (default: the last recorded). */
  until?: string;
}

export interface UsageLedger {
  /** Counts the call unless its key was counted before; says whether it counted. */
  record(record: UsageRecord): Promise<boolean>;
  /** Totals per model, task, caller or provider over a range of days, highest cost first. */
  totals(query: UsageQuery): Promise<UsageRow[]>;
  /** What one request has used so far, over all its calls. */
  requestTotals(requestId: string): Promise<UsageTotals | undefined>;
  /** The call recorded under a key (see usageCallKey), while its key is kept. */
  call(callKey: string): Promise<UsageRecord | undefined>;
}

/** The token counts of TokenUsage the ledger adds up. */
export const TOKEN_METRICS = [
  'inputTokens',
  'outputTokens',
  'cachedInputTokens',
  'cacheWriteTokens',
  'cacheWrite1hTokens',
  'reasoningTokens',
  'imageInputTokens',
] as const;

/** The integer units of 1e-8 dollars per kind, e.g. `cost.cacheWrite5m`. */
export const COST_KIND_METRICS = COST_KINDS.map((kind) => `cost.${kind}` as const);

/** The fields counted, in a fixed order shared by the back-ends. */
export const METRICS = [
  'calls',
  'embeddingCalls',
  ...TOKEN_METRICS,
  'costUnits',
  ...COST_KIND_METRICS,
] as const;
export type Metric = (typeof METRICS)[number];

/** The name a record counts under for a dimension. */
export function dimensionValue(record: UsageRecord, by: UsageDimension): string {
  switch (by) {
    case 'model':
      return record.model;
    case 'task':
      return record.taskType;
    case 'caller':
      return record.caller ?? 'anonymous';
    case 'provider':
      return record.provider;
  }
}

export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** Builds the key of one provider call from the activity's info (`Context.current().info`). */
export function usageCallKey(info: {
  /** Absent only for an activity started outside a workflow. */
  workflowExecution?: { workflowId: string } | undefined;
  activityId: string;
  attempt: number;
}): string {
  return `${info.workflowExecution?.workflowId ?? 'standalone'}/${info.activityId}/${info.attempt}`;
}
