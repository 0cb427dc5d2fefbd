// Builds provider adapters from the provider table, the worker's settings and the model catalog, and
// picks one per model. Adapters are keyed by endpoint (kind, base URL, key variable, headers, query),
// so two compatible endpoints get two clients and models on one endpoint share one.
import type { ModelCatalog, ProviderName } from '../../common/catalog.js';
import type { BatchAdapter } from './batch/types.js';
import { checkCatalog } from './catalogCheck.js';
import { type EndpointSpec, endpointKey, resolveEndpoint } from './endpoint.js';
import { environmentKinds } from './kinds.js';
import type { ProviderSettings } from './settings.js';
import type { Provider } from './types.js';

export { type KindSettings, type ProviderSettings, providerSettingsFromEnv } from './settings.js';

export class ProviderRegistry {
  /** Adapters registered by name (tests, custom providers); they win over the table's. */
  private readonly registered = new Map<ProviderName, Provider>();
  private readonly byEndpoint = new Map<string, Provider>();
  private readonly batchesByEndpoint = new Map<string, BatchAdapter | undefined>();

  /**
   * With a catalog, checks it against the table (ConfigError on a bad entry) and builds every
   * endpoint whose key is set now, so `configured()` lists them for per-provider task queues.
   */
  constructor(
    private readonly settings: ProviderSettings,
    catalog?: ModelCatalog,
  ) {
    for (const [name] of environmentKinds()) {
      if (settings[name]) this.tryBuild({ id: name, provider: name });
    }
    if (catalog) {
      checkCatalog(catalog);
      for (const model of Object.values(catalog.models)) this.tryBuild(model);
    }
  }

  /** Adds or replaces an adapter by its name (tests and custom providers). */
  register(provider: Provider): void {
    this.registered.set(provider.name, provider);
  }

  /** The names of the providers this worker can call now. */
  configured(): ProviderName[] {
    const names = [...this.registered.keys(), ...[...this.byEndpoint.values()].map((p) => p.name)];
    return [...new Set(names)];
  }

  /** The adapter for a model; AuthenticationError naming the variable when its key is missing. */
  forModel(model: EndpointSpec): Provider {
    const registered = this.registered.get(model.provider);
    if (registered) return registered;
    const key = endpointKey(model);
    const built = this.byEndpoint.get(key);
    if (built) return built;
    const { kind, endpoint } = resolveEndpoint(model, this.settings);
    const provider = kind.create(endpoint);
    this.byEndpoint.set(key, provider);
    return provider;
  }

  /** The Batch API adapter for a model's endpoint, or undefined when its kind has none. */
  batchesFor(model: EndpointSpec): BatchAdapter | undefined {
    const key = endpointKey(model);
    if (this.batchesByEndpoint.has(key)) return this.batchesByEndpoint.get(key);
    const { kind, endpoint } = resolveEndpoint(model, this.settings);
    const adapter = kind.batches?.(endpoint);
    this.batchesByEndpoint.set(key, adapter);
    return adapter;
  }

  private tryBuild(model: EndpointSpec): void {
    try {
      this.forModel(model);
    } catch {
      // No key for it yet: forModel answers with the typed error when a request needs it.
    }
  }
}
