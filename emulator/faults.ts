export type Provider = 'openai' | 'anthropic';

/** Failure kinds a test can script: an HTTP status, or a named behaviour. */
export type FaultKind = number | 'timeout' | 'malformed' | 'quota' | 'content_policy' | 'context_length';

export interface FaultSpec {
  /** Model the fault applies to; '*' matches every model. */
  model: string;
  status: FaultKind;
  /** How many calls fail this way (default 1). */
  times?: number;
  retryAfterSeconds?: number;
  provider?: Provider;
}

export interface QueuedFault {
  id: string;
  model: string;
  status: FaultKind;
  times: number;
  remaining: number;
  retryAfterSeconds: number | undefined;
  provider: Provider | undefined;
}

const NAMED_KINDS = new Set(['timeout', 'malformed', 'quota', 'content_policy', 'context_length']);

/** Checks a fault request from the control API (untrusted JSON) and normalises it. */
export function parseFaultSpec(body: unknown): FaultSpec {
  if (body === null || typeof body !== 'object') throw new Error('fault must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '')
    throw new Error('fault.model must be a non-empty string');
  const status = parseKind(b.status);
  const times = b.times === undefined ? 1 : b.times;
  if (typeof times !== 'number' || !Number.isInteger(times) || times < 1) {
    throw new Error('fault.times must be a positive integer');
  }
  const retry = b.retryAfterSeconds;
  if (retry !== undefined && (typeof retry !== 'number' || retry < 0)) {
    throw new Error('fault.retryAfterSeconds must be a non-negative number');
  }
  if (b.provider !== undefined && b.provider !== 'openai' && b.provider !== 'anthropic') {
    throw new Error("fault.provider must be 'openai' or 'anthropic'");
  }
  return { model: b.model, status, times, retryAfterSeconds: retry, provider: b.provider };
}

function parseKind(value: unknown): FaultKind {
  if (typeof value === 'string' && NAMED_KINDS.has(value)) return value as FaultKind;
  const status = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
  if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599) return status;
  throw new Error(
    `fault.status must be an HTTP error status (400-599) or one of ${[...NAMED_KINDS].join(', ')}`,
  );
}

/** Scripted failures, consumed in the order they were added. */
export class FaultQueue {
  private queue: QueuedFault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): QueuedFault {
    const times = spec.times ?? 1;
    const fault: QueuedFault = {
      id: `fault_${this.nextId++}`,
      model: spec.model,
      status: spec.status,
      times,
      remaining: times,
      retryAfterSeconds: spec.retryAfterSeconds,
      provider: spec.provider,
    };
    this.queue.push(fault);
    return { ...fault };
  }

  /** Consumes one use of the first fault matching this call, if any. */
  take(provider: Provider, model: string): QueuedFault | undefined {
    const fault = this.queue.find(
      (f) => (f.model === '*' || f.model === model) && (f.provider === undefined || f.provider === provider),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.queue = this.queue.filter((f) => f !== fault);
    return { ...fault };
  }

  list(): QueuedFault[] {
    return this.queue.map((f) => ({ ...f }));
  }

  clear(): void {
    this.queue = [];
  }
}
