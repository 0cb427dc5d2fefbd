// The usage control behind /_emulator/usage.
/**
 * The usage a test tells the emulator to report, per model: cache reads and writes (and the cache
 * write's TTL) and reasoning tokens. The emulator has no cache and no reasoning; these let the
 * product's cost and usage accounting be tested against exact, known numbers.
 */
export interface UsageSettings {
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWriteTtl: '5m' | '1h';
  reasoningTokens: number;
}

export interface UsageOverride extends UsageSettings {
  /** Model the settings apply to; '*' applies to every model without its own settings. */
  model: string;
}

export const NO_EXTRA_USAGE: UsageSettings = {
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  cacheWriteTtl: '5m',
  reasoningTokens: 0,
};

/** Checks a usage request from the control API (untrusted JSON); omitted numbers are 0, the TTL '5m'. */
export function parseUsageOverride(body: unknown): UsageOverride {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new Error('usage must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '')
    throw new Error('usage.model must be a non-empty string');
  const ttl = b.cacheWriteTtl ?? '5m';
  if (ttl !== '5m' && ttl !== '1h') throw new Error("usage.cacheWriteTtl must be '5m' or '1h'");
  return {
    model: b.model,
    cacheReadTokens: count(b, 'cacheReadTokens'),
    cacheWriteTokens: count(b, 'cacheWriteTokens'),
    cacheWriteTtl: ttl,
    reasoningTokens: count(b, 'reasoningTokens'),
  };
}

function count(b: Record<string, unknown>, name: string): number {
  const value = b[name] ?? 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(`usage.${name} must be a non-negative integer`);
  }
  return value;
}

/** Usage settings by model; a model without settings (and no '*') reports no cache or reasoning. */
export class UsageOverrides {
  private byModel = new Map<string, UsageOverride>();

  set(override: UsageOverride): UsageOverride {
    this.byModel.set(override.model, { ...override });
    return { ...override };
  }

  for(model: string): UsageSettings {
    return this.byModel.get(model) ?? this.byModel.get('*') ?? NO_EXTRA_USAGE;
  }

  /** Removes one model's settings, or all when no model is given. */
  delete(model?: string): void {
    if (model === undefined) this.byModel.clear();
    else this.byModel.delete(model);
  }

  list(): UsageOverride[] {
    return [...this.byModel.values()].map((o) => ({ ...o }));
  }
}
