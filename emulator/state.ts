import type { KeyPolicy } from './auth.js';
import { CallLog } from './callLog.js';
import { FaultQueue } from './faults.js';
import { applyLatencyUpdate, defaultLatency, type LatencySettings, type LatencyUpdate } from './latency.js';

/** Everything the routes share: scripted faults, the call log, latency and the startup options. */
export interface EmulatorState {
  faults: FaultQueue;
  calls: CallLog;
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
    calls: new CallLog(),
    latency,
    initialLatency: latency,
    keys: options.apiKeys && options.apiKeys.length > 0 ? new Set(options.apiKeys) : null,
    strictModels: options.strictModels ?? false,
    timeoutHoldMs: options.timeoutHoldMs ?? 10 * 60 * 1000,
  };
}

/** Back to the state right after startup: no faults, empty log, initial latency. */
export function resetState(state: EmulatorState): void {
  state.faults.clear();
  state.calls.clear();
  state.latency = state.initialLatency;
}
