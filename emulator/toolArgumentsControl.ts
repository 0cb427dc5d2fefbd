// The invalid-tool-arguments control (see the comment below).
import type { Provider } from './faults.js';

/**
 * The control that makes the next N tool-call replies for a model carry arguments that are invalid
 * against the tool's schema (see schemaViolation.ts), so a caller's repair loop can be tested. Only
 * replies that call tools use it up; text replies leave it queued.
 */
export interface InvalidArgumentsSpec {
  /** Model it applies to; '*' matches every model. */
  model: string;
  /** How many tool-call replies are affected (default 1). */
  times?: number;
  provider?: Provider;
}

export interface QueuedInvalidArguments {
  id: string;
  model: string;
  times: number;
  remaining: number;
  provider: Provider | undefined;
}

export function parseInvalidArgumentsSpec(body: unknown): InvalidArgumentsSpec {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new Error('invalid-tool-arguments must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '')
    throw new Error('invalid-tool-arguments.model must be a non-empty string');
  const times = b.times ?? 1;
  if (typeof times !== 'number' || !Number.isInteger(times) || times < 1)
    throw new Error('invalid-tool-arguments.times must be a positive integer');
  if (b.provider !== undefined && b.provider !== 'openai' && b.provider !== 'anthropic')
    throw new Error("invalid-tool-arguments.provider must be 'openai' or 'anthropic'");
  return { model: b.model, times, provider: b.provider };
}

export class InvalidArgumentsQueue {
  private queue: QueuedInvalidArguments[] = [];
  private nextId = 1;

  add(spec: InvalidArgumentsSpec): QueuedInvalidArguments {
    const times = spec.times ?? 1;
    const entry = {
      id: `badargs_${this.nextId++}`,
      model: spec.model,
      times,
      remaining: times,
      provider: spec.provider,
    };
    this.queue.push(entry);
    return { ...entry };
  }

  /** Uses up one reply of the first entry matching this call; true if there was one. */
  take(provider: Provider, model: string): boolean {
    const entry = this.queue.find(
      (e) => (e.model === '*' || e.model === model) && (e.provider === undefined || e.provider === provider),
    );
    if (!entry) return false;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.queue = this.queue.filter((e) => e !== entry);
    return true;
  }

  list(): QueuedInvalidArguments[] {
    return this.queue.map((e) => ({ ...e }));
  }

  clear(): void {
    this.queue = [];
  }
}
