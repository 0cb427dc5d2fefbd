// The provider table: one entry per kind of provider API, saying where its key and base URL come
// from, how to build its adapter (and embedder), and what to tell an operator whose key is missing.
// Adding an API means adding an entry here and an adapter file; adding an endpoint of a known API
// (vLLM, Ollama, Azure OpenAI, Groq, Together, OpenRouter) is an `openai-compatible` catalog entry.
import { AnthropicProvider } from './anthropic.js';
import { AnthropicBatches } from './batch/anthropic.js';
import { OpenAIBatches } from './batch/openai.js';
import type { BatchAdapter } from './batch/types.js';
import { type Embedder, type EmbeddingModel, OpenAIEmbedder } from './embedder.js';
import { OpenAIProvider } from './openai.js';
import type { Endpoint, Provider } from './types.js';

interface KindBase {
  create(endpoint: Endpoint): Provider;
  /** An embedder on the same endpoint, for kinds whose API has embeddings (the semantic cache). */
  embedder?: (endpoint: Endpoint, model: EmbeddingModel) => Embedder;
  /** The kind's Batch API (half price, within 24 hours), for non-urgent requests; absent: none. */
  batches?: (endpoint: Endpoint) => BatchAdapter;
  /** The advice in the error for a missing key, given the variable that should hold it. */
  missingKey(variable: string): string;
}

/** One account per worker: the key and base URL come from the kind's own variables. */
export interface EnvironmentKind extends KindBase {
  source: 'environment';
  apiKeyEnv: string;
  baseURLEnv: string;
}

/** Each catalog entry names its endpoint: baseURL, apiKeyEnv, and optional headers and queryParams. */
export interface CatalogKind extends KindBase {
  source: 'catalog';
}

export type ProviderKind = EnvironmentKind | CatalogKind;

export const providerKinds = {
  openai: {
    source: 'environment',
    apiKeyEnv: 'OPENAI_API_KEY',
    baseURLEnv: 'OPENAI_BASE_URL',
    create: (endpoint) => new OpenAIProvider(endpoint),
    embedder: (endpoint, model) => new OpenAIEmbedder(endpoint, model),
    batches: (endpoint) => new OpenAIBatches(endpoint),
    missingKey: (variable) => `set ${variable} in the worker's environment`,
  },
  anthropic: {
    source: 'environment',
    apiKeyEnv: 'ANTHROPIC_API_KEY',
    baseURLEnv: 'ANTHROPIC_BASE_URL',
    create: (endpoint) => new AnthropicProvider(endpoint),
    batches: (endpoint) => new AnthropicBatches(endpoint),
    missingKey: (variable) => `set ${variable} in the worker's environment`,
  },
  'openai-compatible': {
    source: 'catalog',
    create: (endpoint) => new OpenAIProvider(endpoint),
    embedder: (endpoint, model) => new OpenAIEmbedder(endpoint, model),
    missingKey: (variable) =>
      `set ${variable} (the variable this catalog entry names in apiKeyEnv) in the worker's environment`,
  },
} as const satisfies Record<string, ProviderKind>;

/** The kinds the table has: the type is derived from the table, so it cannot drift from it. */
export type ProviderKindName = keyof typeof providerKinds;

/** The kinds configured by their own environment variables (these have a field in ProviderSettings). */
export type EnvironmentKindName = {
  [K in ProviderKindName]: (typeof providerKinds)[K] extends EnvironmentKind ? K : never;
}[ProviderKindName];

export const providerKindNames = Object.keys(providerKinds) as ProviderKindName[];

export function isProviderKindName(name: string): name is ProviderKindName {
  return Object.hasOwn(providerKinds, name);
}

/** The table's entry for a kind name, or undefined for a name the table does not have. */
export function providerKind(name: string): ProviderKind | undefined {
  return isProviderKindName(name) ? providerKinds[name] : undefined;
}

/** The kinds whose entries read their own variables, in table order. */
export function environmentKinds(): [EnvironmentKindName, EnvironmentKind][] {
  return providerKindNames.flatMap((name) => {
    const kind: ProviderKind = providerKinds[name];
    return kind.source === 'environment' ? [[name as EnvironmentKindName, kind]] : [];
  });
}

/** What to set for a worker with no provider at all, from the table (for the start-up line). */
export function noProviderAdvice(): string {
  const variables = environmentKinds().map(([, kind]) => kind.apiKeyEnv);
  const catalogKinds = providerKindNames.filter((name) => providerKinds[name].source === 'catalog');
  return `set ${variables.join(' or ')}, or the apiKeyEnv of a catalog entry of kind ${catalogKinds.join(' or ')}`;
}
