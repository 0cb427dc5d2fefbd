import type { Provider } from './faults.js';

/** One provider call as the emulator saw it. */
export interface CallRecord {
  seq: number;
  provider: Provider;
  model: string;
  path: string;
  stream: boolean;
  startedAt: string;
  receivedAtMs: number;
  /** Null while the call is still in progress. */
  durationMs: number | null;
  /** The answered HTTP status, 'aborted' if the client went away first, 'pending' while in progress. */
  status: number | 'aborted' | 'pending';
  /** The scripted fault this call consumed, if any. */
  fault?: string;
  inputTokens?: number;
  outputTokens?: number;
  requestId: string;
}

export type NewCall = Pick<CallRecord, 'provider' | 'model' | 'path' | 'stream' | 'requestId'>;

/** Every call in arrival order; records are live objects that the exchange completes. */
export class CallLog {
  private records: CallRecord[] = [];
  private nextSeq = 1;

  begin(call: NewCall): CallRecord {
    const now = Date.now();
    const record: CallRecord = {
      seq: this.nextSeq++,
      ...call,
      startedAt: new Date(now).toISOString(),
      receivedAtMs: now,
      durationMs: null,
      status: 'pending',
    };
    this.records.push(record);
    return record;
  }

  /** Copies, so callers cannot change the log and see a consistent snapshot. */
  list(): CallRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  /** Also restarts the numbering, so each test sees seq 1, 2, 3… */
  clear(): void {
    this.records = [];
    this.nextSeq = 1;
  }
}
