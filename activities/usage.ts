// Usage records. The exact way: `recordCallUsage` inside invokeProvider after the provider answers,
// keyed by the activity's own workflow id, activity id and attempt, so every call the provider billed
// is counted once (a retry is a new call and counts; a replay runs no activity and counts nothing).
// The `recordUsage` activity does the same from the workflow, for calls it lists itself.
import type { LostCall } from '../common/attempts.js';
import type { CostKind } from '../common/catalog.js';
import type { TokenUsage } from '../common/request.js';
import { type UsageLedger, type UsageRecord, usageCallKey } from '../core/usage/types.js';

export interface UsageActivityDeps {
  usage: UsageLedger;
}

export interface UsageCall {
  /** Unique per provider call and stable across retries of the recording (see usageCallKey). */
  callKey: string;
  model: string;
  provider: string;
  usage: TokenUsage;
  costUsd: number;
}

export interface RecordUsageInput {
  requestId: string;
  taskType: string;
  caller?: string;
  calls: UsageCall[];
}

export interface RecordUsageResult {
  counted: number;
  /** Calls whose key had been counted before (a retried recording). */
  repeated: number;
}

export interface UsageActivities {
  recordUsage(input: RecordUsageInput): Promise<RecordUsageResult>;
}

/** The facts of one provider call, as invokeProvider knows them. */
export interface ProviderCallUsage {
  requestId: string;
  taskType: string;
  caller?: string;
  model: string;
  provider: string;
  usage: TokenUsage;
  costUsd: number;
  costByKind?: Partial<Record<CostKind, number>>;
  purpose?: UsageRecord['purpose'];
}

/**
 * Records one provider call from inside the activity that made it; `info` is
 * `Context.current().info`. Returns false when this attempt had already been recorded.
 */
export function recordCallUsage(
  ledger: UsageLedger,
  info: Parameters<typeof usageCallKey>[0],
  call: ProviderCallUsage,
  now: number = Date.now(),
): Promise<boolean> {
  return ledger.record({ ...call, callKey: usageCallKey(info), at: now });
}

export function createUsageActivities(deps: UsageActivityDeps): UsageActivities {
  return {
    async recordUsage({ requestId, taskType, caller, calls }) {
      let counted = 0;
      const at = Date.now();
      for (const call of calls) {
        const fresh = await deps.usage.record({
          ...call,
          requestId,
          taskType,
          at,
          ...(caller !== undefined ? { caller } : {}),
        });
        if (fresh) counted++;
      }
      return { counted, repeated: calls.length - counted };
    },
  };
}

/**
 * Calls that earlier attempts of this activity made and the ledger counted, but whose attempt never
 * reported back (its worker died after the provider answered): the provider billed them, so the
 * retry reports them for the request's usage and cost. Attempts that failed and said so (`failedTries`)
 * made no billed call and are skipped.
 */
export async function lostCalls(
  ledger: UsageLedger,
  info: Parameters<typeof usageCallKey>[0],
  failedTries: readonly { try: number }[],
): Promise<LostCall[]> {
  const failed = new Set(failedTries.map((t) => t.try));
  const lost: LostCall[] = [];
  for (let attempt = 1; attempt < info.attempt; attempt++) {
    if (failed.has(attempt)) continue;
    const record = await ledger.call(usageCallKey({ ...info, attempt }));
    if (record) lost.push({ try: attempt, usage: record.usage, costUsd: record.costUsd });
  }
  return lost;
}
