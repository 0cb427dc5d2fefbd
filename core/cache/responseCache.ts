// The response cache as the activities use it: exact match first, then (for task types that opted in)
// the most similar earlier prompt above the threshold. The request's CacheMode decides whether it
// reads, writes, or neither.

import type { Embedder } from '../providers/embedder.js';
import type { SemanticSettings } from './config.js';
import { type CacheKeyInput, cacheKey, semanticScope, semanticText } from './key.js';
import type { VectorIndex } from './semantic/index.js';
import type { CachedAnswer, CacheHitInfo, CacheMode, CacheStore } from './types.js';

export interface SemanticCacheOptions {
  index: VectorIndex;
  embedder: Embedder;
  /** The task type's semantic settings, or undefined when it did not opt in. */
  settings: (taskType: string) => SemanticSettings | undefined;
}

/** An embedding the provider billed for a lookup or a store (absent when it came from memory). */
export interface EmbeddingCall {
  model: string;
  tokens: number;
}

export type CacheLookupResult = (
  | { hit: true; answer: CachedAnswer; info: CacheHitInfo }
  | {
      hit: false;
      key: string;
      /** Why not, for history: off, not found, or the best similarity that fell short. */
      reason: string;
      /** Best similarity seen by a semantic lookup that fell short of the threshold. */
      similarity?: number;
    }
) & { embedding?: EmbeddingCall };

export interface CacheStoreResult {
  stored: boolean;
  key: string;
  reason?: string;
  embedding?: EmbeddingCall;
}

export class ResponseCache {
  constructor(
    readonly store: CacheStore,
    private readonly semantic?: SemanticCacheOptions,
    private readonly now: () => number = Date.now,
  ) {}

  async lookup(input: CacheKeyInput, mode: CacheMode): Promise<CacheLookupResult> {
    const key = cacheKey(input);
    if (mode === 'off') return { hit: false, key, reason: 'cache off for this request' };
    const exact = await this.store.get(key);
    if (exact) {
      return {
        hit: true,
        answer: exact.answer,
        info: { kind: 'exact', key, ageMs: this.age(exact.storedAt) },
      };
    }
    const settings = this.semantic?.settings(input.taskType);
    if (!this.semantic || !settings) return { hit: false, key, reason: 'no entry' };

    let nearest: Awaited<ReturnType<VectorIndex['nearest']>>;
    // Billed once the provider answered, whatever the index then says.
    let billed: { embedding?: EmbeddingCall } = {};
    try {
      const { vector, tokens } = await this.semantic.embedder.embed(semanticText(input.messages));
      billed = this.billed(tokens);
      nearest = await this.semantic.index.nearest(input.taskType, semanticScope(input), vector);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return { hit: false, key, reason: `no entry; semantic lookup failed: ${why}`, ...billed };
    }
    if (!nearest) return { hit: false, key, reason: 'no entry, no similar prompt', ...billed };
    const similarity = round(nearest.similarity);
    if (nearest.similarity < settings.threshold) {
      return {
        hit: false,
        key,
        reason: `most similar prompt ${similarity} is below the threshold ${settings.threshold}`,
        similarity,
        ...billed,
      };
    }
    const entry = await this.store.get(nearest.id);
    if (!entry) {
      // The answer expired before its vector did: forget the vector.
      await this.semantic.index.remove(input.taskType, nearest.id);
      return { hit: false, key, reason: 'similar prompt found but its answer expired', ...billed };
    }
    return {
      hit: true,
      answer: entry.answer,
      info: { kind: 'semantic', key: nearest.id, ageMs: this.age(entry.storedAt), similarity },
      ...billed,
    };
  }

  async save(
    input: CacheKeyInput,
    answer: CachedAnswer,
    options: { mode: CacheMode; ttlSeconds: number },
  ): Promise<CacheStoreResult> {
    const key = cacheKey(input);
    if (options.mode !== 'read-write') return { stored: false, key, reason: `cache mode ${options.mode}` };
    if (options.ttlSeconds <= 0) return { stored: false, key, reason: 'task type has no cache TTL' };
    await this.store.set(key, { answer, storedAt: this.now() }, options.ttlSeconds);
    const settings = this.semantic?.settings(input.taskType);
    let billed: { embedding?: EmbeddingCall } = {};
    if (this.semantic && settings) {
      try {
        const { vector, tokens } = await this.semantic.embedder.embed(semanticText(input.messages));
        billed = this.billed(tokens);
        await this.semantic.index.add(
          input.taskType,
          { id: key, scope: semanticScope(input), vector },
          options.ttlSeconds,
          settings.maxEntries,
        );
      } catch (error) {
        // The exact entry is stored; only similar prompts will not find it.
        const why = error instanceof Error ? error.message : String(error);
        return { stored: true, key, reason: `stored for exact matches only: ${why}`, ...billed };
      }
    }
    return { stored: true, key, ...billed };
  }

  private billed(tokens: number): { embedding?: EmbeddingCall } {
    const model = this.semantic?.embedder.model;
    return model && tokens > 0 ? { embedding: { model, tokens } } : {};
  }

  private age(storedAt: number): number {
    return Math.max(0, this.now() - storedAt);
  }
}

function round(similarity: number): number {
  return Math.round(similarity * 10_000) / 10_000;
}
