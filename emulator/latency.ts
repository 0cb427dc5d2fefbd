export type LatencyDistribution =
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'normal'; meanMs: number; stddevMs: number };

export interface LatencySettings {
  /** Delay before every answer (time to first token). */
  distribution: LatencyDistribution;
  /** Generation speed; null means the whole reply is ready at once. */
  tokensPerSecond: number | null;
  /** Extra hold per model ('*' = every model), e.g. to keep requests in flight for a concurrency test. */
  holds: Record<string, number>;
}

/** The control API's latency body; every field is optional and only the given ones change. */
export interface LatencyUpdate {
  fixedMs?: number;
  distribution?: 'fixed' | 'uniform' | 'normal';
  minMs?: number;
  maxMs?: number;
  meanMs?: number;
  stddevMs?: number;
  tokensPerSecond?: number | null;
  holdMs?: number;
  model?: string;
}

export function defaultLatency(): LatencySettings {
  return { distribution: { kind: 'fixed', ms: 0 }, tokensPerSecond: null, holds: {} };
}

/** Returns new settings with the update applied; throws on nonsensical values. */
export function applyLatencyUpdate(current: LatencySettings, update: LatencyUpdate): LatencySettings {
  const next: LatencySettings = { ...current, holds: { ...current.holds } };
  if (update.fixedMs !== undefined)
    next.distribution = { kind: 'fixed', ms: nonNegative('fixedMs', update.fixedMs) };
  if (update.distribution !== undefined && !['fixed', 'uniform', 'normal'].includes(update.distribution)) {
    throw new Error("distribution must be 'fixed', 'uniform' or 'normal'");
  }
  if (update.distribution === 'fixed' && update.fixedMs === undefined)
    next.distribution = { kind: 'fixed', ms: 0 };
  if (update.distribution === 'uniform') {
    const minMs = nonNegative('minMs', update.minMs ?? 0);
    const maxMs = nonNegative('maxMs', update.maxMs ?? minMs);
    if (maxMs < minMs) throw new Error('maxMs must be >= minMs');
    next.distribution = { kind: 'uniform', minMs, maxMs };
  }
  if (update.distribution === 'normal') {
    next.distribution = {
      kind: 'normal',
      meanMs: nonNegative('meanMs', update.meanMs ?? 0),
      stddevMs: nonNegative('stddevMs', update.stddevMs ?? 0),
    };
  }
  if (update.tokensPerSecond !== undefined) {
    const tps = update.tokensPerSecond;
    next.tokensPerSecond = tps === null || tps === 0 ? null : positive('tokensPerSecond', tps);
  }
  if (update.holdMs !== undefined) {
    const model = update.model ?? '*';
    const holdMs = nonNegative('holdMs', update.holdMs);
    if (holdMs === 0) delete next.holds[model];
    else next.holds[model] = holdMs;
  }
  return next;
}

/** One delay drawn from the distribution, never negative. */
export function sampleDelayMs(distribution: LatencyDistribution, random: () => number = Math.random): number {
  switch (distribution.kind) {
    case 'fixed':
      return distribution.ms;
    case 'uniform':
      return distribution.minMs + random() * (distribution.maxMs - distribution.minMs);
    case 'normal': {
      // Box–Muller transform: two uniforms give one standard normal draw.
      const u = 1 - random();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
      return Math.max(0, distribution.meanMs + z * distribution.stddevMs);
    }
  }
}

/** The hold for a model: its own entry, else the '*' entry, else none. */
export function holdFor(settings: LatencySettings, model: string): number {
  return settings.holds[model] ?? settings.holds['*'] ?? 0;
}

/** Parses the command line form: "fixed:50", "uniform:20,80" or "normal:50,10". */
export function parseLatencySpec(spec: string): LatencyUpdate {
  const [kind, args = ''] = spec.split(':', 2);
  const numbers = args.split(',').map((x) => Number(x.trim()));
  if (numbers.some((n) => !Number.isFinite(n))) throw new Error(`bad latency spec "${spec}"`);
  if (kind === 'fixed' && numbers.length === 1) return { fixedMs: numbers[0] };
  if (kind === 'uniform' && numbers.length === 2) {
    return { distribution: 'uniform', minMs: numbers[0], maxMs: numbers[1] };
  }
  if (kind === 'normal' && numbers.length === 2) {
    return { distribution: 'normal', meanMs: numbers[0], stddevMs: numbers[1] };
  }
  throw new Error(`bad latency spec "${spec}": use fixed:MS, uniform:MIN,MAX or normal:MEAN,STDDEV`);
}

function nonNegative(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number`);
  }
  return value;
}

function positive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number`);
  }
  return value;
}
