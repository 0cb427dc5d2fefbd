// config/cache.yaml: the in-process LRU's bounds and which task types use the semantic cache.
// Exact caching needs no config: it is on for every task type, with the TTL from the routing table.
import { join } from 'node:path';
import { configDir } from '../../config/load.js';
import { loadYamlConfig } from '../limits/configFile.js';

export interface SemanticSettings {
  /** Cosine similarity at or above which a cached answer is served (0..1). */
  threshold: number;
  /** Most prompts kept per task type; the linear scan reads them all. */
  maxEntries: number;
}

export interface CacheConfig {
  embeddingModel: string;
  /** Vector length to ask the embeddings API for (text-embedding-3 models can shorten). */
  embeddingDimensions?: number;
  lru: { maxEntries: number; maxBytes: number };
  /** Task types that opted in to semantic caching. */
  semantic: Record<string, SemanticSettings>;
}

export const defaultCacheConfig: CacheConfig = {
  embeddingModel: 'text-embedding-3-small',
  lru: { maxEntries: 10_000, maxBytes: 64 * 1024 * 1024 },
  semantic: {},
};

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    embeddingModel: { type: 'string', minLength: 1 },
    embeddingDimensions: { type: 'integer', minimum: 1 },
    lru: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxEntries: { type: 'integer', minimum: 1 },
        maxBytes: { type: 'integer', minimum: 1 },
      },
    },
    semantic: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['threshold'],
        additionalProperties: false,
        properties: {
          threshold: { type: 'number', minimum: 0, maximum: 1 },
          maxEntries: { type: 'integer', minimum: 1 },
        },
      },
    },
  },
} as const;

type RawCacheConfig = Partial<Omit<CacheConfig, 'lru' | 'semantic'>> & {
  lru?: Partial<CacheConfig['lru']>;
  semantic?: Record<string, { threshold: number; maxEntries?: number }>;
};

export function loadCacheConfig(file: string = join(configDir, 'cache.yaml')): CacheConfig {
  const raw = loadYamlConfig<RawCacheConfig>(file, schema, {});
  const semantic: Record<string, SemanticSettings> = {};
  for (const [taskType, s] of Object.entries(raw.semantic ?? {})) {
    semantic[taskType] = { threshold: s.threshold, maxEntries: s.maxEntries ?? 1000 };
  }
  return {
    embeddingModel: raw.embeddingModel ?? defaultCacheConfig.embeddingModel,
    ...(raw.embeddingDimensions ? { embeddingDimensions: raw.embeddingDimensions } : {}),
    lru: { ...defaultCacheConfig.lru, ...raw.lru },
    semantic,
  };
}
