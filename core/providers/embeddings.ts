// Builds the semantic cache's embedder from the provider table: the embeddings endpoint is a kind
// whose entry has an `embedder`, with a key and base URL like its chat adapter's.
import type { Embedder, EmbeddingModel } from './embedder.js';
import {
  type EnvironmentKindName,
  environmentKinds,
  type ProviderKind,
  type ProviderKindName,
  providerKinds,
} from './kinds.js';
import type { ProviderSettings } from './settings.js';

export type { Embedder, Embedding, EmbeddingModel } from './embedder.js';

/** Where embeddings come from: a kind of the table (the first that can embed when absent) and its account. */
export interface EmbeddingSource {
  kind?: ProviderKindName;
  apiKey: string;
  baseURL?: string;
  headers?: Record<string, string>;
  queryParams?: Record<string, string>;
}

function embeddingKinds(): EnvironmentKindName[] {
  return environmentKinds()
    .filter(([, kind]) => kind.embedder !== undefined)
    .map(([name]) => name);
}

/** The embedder for a source; an Error when the source's kind has no embeddings API. */
export function createEmbedder(source: EmbeddingSource, model: EmbeddingModel): Embedder {
  const name = source.kind ?? embeddingKinds()[0];
  const kind: ProviderKind | undefined = name === undefined ? undefined : providerKinds[name];
  if (!name || !kind?.embedder) throw new Error(`provider kind "${name}" has no embeddings API`);
  const { kind: _, ...account } = source;
  const keyVariable = kind.source === 'environment' ? kind.apiKeyEnv : 'the embeddings key';
  const baseURLSource = kind.source === 'environment' ? kind.baseURLEnv : 'the embeddings base URL';
  return kind.embedder({ name, ...account, hints: { keyVariable, baseURLSource } }, model);
}

/** The first kind in the table that can embed and whose key the settings have; none without one. */
export function embeddingSource(settings: ProviderSettings): EmbeddingSource | undefined {
  for (const name of embeddingKinds()) {
    const account = settings[name];
    if (account) return { kind: name, ...account };
  }
  return undefined;
}
