import type { KeyPolicy } from './auth.js';
import { BatchStore } from './batchStore.js';
import { CallLog } from './callLog.js';
import { FaultQueue } from './faults.js';
import { applyLatencyUpdate, defaultLatency, type LatencySettings, type LatencyUpdate } from './latency.js';
import { InvalidArgumentsQueue } from './toolArgumentsControl.js';
import { UsageOverrides } from './usageControl.js';

/**
 * Everything the routes share: scripted faults, the call log, latency, usage to report, queued
 * invalid tool arguments, batches and the startup options.
 */
export interface EmulatorState {
  faults: FaultQueue;
  usage: UsageOverrides;
  invalidArguments: InvalidArgumentsQueue;
  calls: CallLog;
  /** Uploaded files and batches of both Batch APIs, and their test controls. */
  batches: BatchStore;
  latency: LatencySettings;
  readonly initialLatency: LatencySettings;
  readonly keys: KeyPolicy;
  readonly strictModels: boolean;
  /** How long a 'timeout' fault holds the connection before giving up with a 504. */
  readonly timeoutHoldMs: number;
}

export interface StateOptions {
  latency?: LatencyUpdate;
  apiKeys?: readonly string[];
  strictModels?: boolean;
  timeoutHoldMs?: number;
}

export function createState(options: StateOptions): EmulatorState {
  const latency = applyLatencyUpdate(defaultLatency(), options.latency ?? {});
  return {
    faults: new FaultQueue(),
    usage: new UsageOverrides(),
    invalidArguments: new InvalidArgumentsQueue(),
    calls: new CallLog(),
    batches: new BatchStore(),
    latency,
    initialLatency: latency,
    keys: options.apiKeys && options.apiKeys.length > 0 ? new Set(options.apiKeys) : null,
    strictModels: options.strictModels ?? false,
    timeoutHoldMs: options.timeoutHoldMs ?? 10 * 60 * 1000,
  };
}

/** Back to the state right after startup: no faults or usage settings, empty log, initial latency. */
export function resetState(state: EmulatorState): void {
  state.faults.clear();
  state.usage.delete();
  state.invalidArguments.clear();
  state.calls.clear();
  state.batches.reset();
  state.latency = state.initialLatency;
}
