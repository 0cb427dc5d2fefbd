// Turns a prompt into an embedding through the provider's embeddings API (OpenAI's, via the
// official client with its own retries off). Remembers recent texts, so the store after a lookup's
// miss does not pay for the same embedding twice.
import { LRUCache } from 'lru-cache';
import OpenAI from 'openai';

export interface Embedding {
  vector: Float32Array;
  /** Tokens the provider billed for this embedding (0 when it came from memory). */
  tokens: number;
}

export interface Embedder {
  readonly model: string;
  embed(text: string): Promise<Embedding>;
}

export interface OpenAIEmbedderOptions {
  apiKey: string;
  baseURL?: string;
  /** Default text-embedding-3-small. */
  model?: string;
  /** Ask for shorter vectors (text-embedding-3 models support it). */
  dimensions?: number;
  timeoutMs?: number;
}

export class OpenAIEmbedder implements Embedder {
  readonly model: string;
  private readonly client: OpenAI;
  private readonly dimensions: number | undefined;
  private readonly recent = new LRUCache<string, Float32Array>({ max: 1000 });

  constructor(options: OpenAIEmbedderOptions) {
    this.model = options.model ?? 'text-embedding-3-small';
    this.dimensions = options.dimensions;
    this.client = new OpenAI({
      apiKey: options.apiKey,
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      maxRetries: 0,
      timeout: options.timeoutMs ?? 30_000,
    });
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
