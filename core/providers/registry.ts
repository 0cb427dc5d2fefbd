// Builds the provider adapters from the environment and picks one by a model's provider.
// Keys stay here, in the worker's process: they never enter workflow inputs, results or history.
import type { ModelSpec, ProviderName } from '../../common/catalog.js';
import { AuthenticationError } from '../../common/errors.js';
import { AnthropicProvider } from './anthropic.js';
import { OpenAIProvider } from './openai.js';
import type { Provider } from './types.js';

export interface ProviderSettings {
  openai?: { apiKey: string; baseURL?: string };
  anthropic?: { apiKey: string; baseURL?: string };
  timeoutMs?: number;
}

export function providerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ProviderSettings {
  const settings: ProviderSettings = {};
  if (env.OPENAI_API_KEY) {
    settings.openai = {
      apiKey: env.OPENAI_API_KEY,
      ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
    };
  }
  if (env.ANTHROPIC_API_KEY) {
    settings.anthropic = {
      apiKey: env.ANTHROPIC_API_KEY,
      ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}),
    };
  }
  const timeout = Number(env.PROVIDER_TIMEOUT_MS);
  if (Number.isFinite(timeout) && timeout > 0) settings.timeoutMs = timeout;
  return settings;
}

export class ProviderRegistry {
  private readonly providers = new Map<ProviderName, Provider>();

  constructor(settings: ProviderSettings) {
    const timeout = settings.timeoutMs ? { timeoutMs: settings.timeoutMs } : {};
    if (settings.openai) this.providers.set('openai', new OpenAIProvider({ ...settings.openai, ...timeout }));
    if (settings.anthropic) {
      this.providers.set('anthropic', new AnthropicProvider({ ...settings.anthropic, ...timeout }));
    }
  }

  /** Adds or replaces an adapter (tests and custom providers). */
  register(provider: Provider): void {
    this.providers.set(provider.name, provider);
  }

  configured(): ProviderName[] {
    return [...this.providers.keys()];
  }

  forModel(model: ModelSpec): Provider {
    const provider = this.providers.get(model.provider);
    if (!provider) {
      const variable = model.provider === 'openai' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY';
      throw new AuthenticationError(
        `no API key for provider "${model.provider}" (model ${model.id}): set ${variable} in the worker's environment`,
        { details: { provider: model.provider, model: model.id } },
      );
    }
    return provider;
  }
}
