// The worker process's backend (core/backend.ts) from its settings. The semantic cache's embedder is
// built here, at the composition root, by the provider table (the first kind with an embeddings API
// and a key) with the embedding model and dimensions of config/cache.yaml.
import type { BackendSettings, ConfigFiles } from '../config/settings.js';
import { type Backend, createBackend } from '../core/backend.js';
import { loadCacheConfig } from '../core/cache/config.js';
import { createEmbedder, embeddingSource } from '../core/providers/embeddings.js';
import type { ProviderSettings } from '../core/providers/registry.js';

export interface WorkerBackendOptions {
  settings: BackendSettings;
  files: ConfigFiles;
  providers: ProviderSettings;
}

export function workerBackend(options: WorkerBackendOptions): Backend {
  const cache = loadCacheConfig(options.files.cache);
  const source = embeddingSource(options.providers);
  const embedder = source
    ? createEmbedder(source, {
        model: cache.embeddingModel,
        ...(cache.embeddingDimensions ? { dimensions: cache.embeddingDimensions } : {}),
      })
    : undefined;
  return createBackend({
    settings: options.settings,
    files: options.files,
    cache,
    ...(embedder ? { embedder } : {}),
  });
}
