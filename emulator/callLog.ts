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
  /** The emulator's own prompt estimate (images included, configured cache tokens not). */
  inputTokens?: number;
  /** Visible output tokens (configured reasoning tokens not included). */
  outputTokens?: number;
  requestId: string;
  /** Names of the tools the request offered, in order. */
  toolsOffered?: string[];
  /** 'auto' | 'none' | 'required' | 'tool:<name>' (Anthropic 'any' is logged as 'required'). */
  toolChoice?: string;
  /** Ids of the tool calls the request's trailing tool results answered. */
  toolResults?: string[];
  /** The tool calls the reply made. */
  toolCalls?: LoggedToolCall[];
  /** The reply's tool arguments were made invalid on purpose (the invalid-arguments control). */
  invalidToolArguments?: boolean;
  /** Every image in the request as counted. */
  images?: LoggedImage[];
  /** The usage object exactly as sent to the client (the final one, for a stream). */
  usage?: Record<string, unknown>;
}

export interface LoggedToolCall {
  id: string;
  name: string;
  /** The arguments as sent: a JSON string for OpenAI, the same JSON for Anthropic's input object. */
  arguments: string;
}

export interface LoggedImage {
  source: 'base64' | 'url';
  mediaType: string | undefined;
  width: number;
  height: number;
  sizeKnown: boolean;
  detail: string | undefined;
  tokens: number;
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
