// The response cache's vocabulary. A request chooses how it uses the cache; an entry is the answer a
// provider gave plus when it was stored, so a hit can say how old it is.
import type { LlmResult } from '../../common/request.js';

/** read-write: look up and store (default); read-only: look up, never store; off: neither. */
export type CacheMode = 'read-write' | 'read-only' | 'off';

export const CACHE_MODES: readonly CacheMode[] = ['read-write', 'read-only', 'off'];

/** What is stored: the answer without anything that belongs to the request that produced it. */
export type CachedAnswer = Omit<LlmResult, 'requestId' | 'workflowId' | 'cached' | 'attempts'>;

export interface CacheEntry {
  answer: CachedAnswer;
  /** Epoch ms when the entry was stored. */
  storedAt: number;
}

/** Where a cached answer came from; goes into the request's result so the caller can judge it. */
export interface CacheHitInfo {
  kind: 'exact' | 'semantic';
  /** The entry's key (`v1:<sha256>` of the canonical key input). */
  key: string;
  /** How old the entry is, in milliseconds. */
  ageMs: number;
  /** Cosine similarity of the prompt to the cached one (semantic hits only). */
  similarity?: number;
}

/** Exact-match storage: a Redis back-end shared by workers, or an in-process LRU. */
export interface CacheStore {
  get(key: string): Promise<CacheEntry | undefined>;
  /** Stores for ttlSeconds; replaces an existing entry. */
  set(key: string, entry: CacheEntry, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
}
