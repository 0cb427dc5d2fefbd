// The worker process's backend (core/backend.ts) from its settings. The semantic cache's embedder is
// built here, at the composition root: OpenAI's key and base URL with the embedding model and
// dimensions of config/cache.yaml.
import type { BackendSettings, ConfigFiles } from '../config/settings.js';
import { type Backend, createBackend } from '../core/backend.js';
import { loadCacheConfig } from '../core/cache/config.js';
import { OpenAIEmbedder } from '../core/cache/semantic/embedder.js';
import type { ProviderSettings } from '../core/providers/registry.js';

export interface WorkerBackendOptions {
  settings: BackendSettings;
  files: ConfigFiles;
  providers: ProviderSettings;
}

export function workerBackend(options: WorkerBackendOptions): Backend {
  const cache = loadCacheConfig(options.files.cache);
  const openai = options.providers.openai;
  const embedder = openai
    ? new OpenAIEmbedder({
        ...openai,
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
