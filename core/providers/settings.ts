// What the worker knows about provider accounts: a key (and base URL) per environment kind of the
// provider table, and the environment that catalog entries name their own variables in. Keys stay in
// the worker's process: they never enter workflow inputs, results or history.
import { type EnvironmentKindName, environmentKinds } from './kinds.js';

export interface KindSettings {
  apiKey: string;
  baseURL?: string;
}

export type Environment = Readonly<Record<string, string | undefined>>;

export type ProviderSettings = { [K in EnvironmentKindName]?: KindSettings } & {
  timeoutMs?: number;
  /**
   * Where the variables that catalog entries name are read (`apiKeyEnv`, `${VAR}` in headers and
   * queryParams); none are set when absent, so such entries answer AuthenticationError.
   */
  env?: Environment;
};

/** Each environment kind's key and base URL from its variables (OPENAI_API_KEY, ...), and PROVIDER_TIMEOUT_MS. */
export function providerSettingsFromEnv(env: Environment = process.env): ProviderSettings {
  const settings: ProviderSettings = { env };
  for (const [name, kind] of environmentKinds()) {
    const apiKey = env[kind.apiKeyEnv];
    const baseURL = env[kind.baseURLEnv];
    if (apiKey) settings[name] = { apiKey, ...(baseURL ? { baseURL } : {}) };
  }
  const timeout = Number(env.PROVIDER_TIMEOUT_MS);
  if (Number.isFinite(timeout) && timeout > 0) settings.timeoutMs = timeout;
  return settings;
}
