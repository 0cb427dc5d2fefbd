// Turns a prompt into an embedding for the semantic cache, through an OpenAI-style embeddings API
// (OpenAI's own, or an `openai-compatible` endpoint) with the client's retries off. Remembers recent
// texts, so the store after a lookup's miss does not pay for the same embedding twice.
import { LRUCache } from 'lru-cache';
import type OpenAI from 'openai';
import { openaiClient } from './openai.js';
import type { Endpoint } from './types.js';

export interface Embedding {
  vector: Float32Array;
  /** Tokens the provider billed for this embedding (0 when it came from memory). */
  tokens: number;
}

export interface Embedder {
  readonly model: string;
  embed(text: string): Promise<Embedding>;
}

/** Which embedding model to ask for (config/cache.yaml's embeddingModel and embeddingDimensions). */
export interface EmbeddingModel {
  /** Default text-embedding-3-small. */
  model?: string;
  /** Ask for shorter vectors (text-embedding-3 models support it). */
  dimensions?: number;
}

export class OpenAIEmbedder implements Embedder {
  readonly model: string;
  private readonly client: OpenAI;
  private readonly dimensions: number | undefined;
  private readonly recent = new LRUCache<string, Float32Array>({ max: 1000 });

  constructor(endpoint: Endpoint, options: EmbeddingModel = {}) {
    this.model = options.model ?? 'text-embedding-3-small';
    this.dimensions = options.dimensions;
    this.client = openaiClient(endpoint, 30_000);
  }

  async embed(text: string): Promise<Embedding> {
    const remembered = this.recent.get(text);
    if (remembered) return { vector: remembered, tokens: 0 };
    const response = await this.client.embeddings.create({
      model: this.model,
      input: text,
      ...(this.dimensions ? { dimensions: this.dimensions } : {}),
    });
    const data = response.data[0];
    if (!data) throw new Error(`embeddings API returned no vector for model ${this.model}`);
    const vector = Float32Array.from(data.embedding);
    this.recent.set(text, vector);
    return { vector, tokens: response.usage?.prompt_tokens ?? 0 };
  }
}
