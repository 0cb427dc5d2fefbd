// A bounded set of prompt embeddings per task type, searched by a linear scan: each lookup compares
// the query with every live entry of the task type (O(entries x dimensions)). With the default bound
// of 1,000 entries of 1,536 floats a Redis lookup moves about 6 MB; past a few thousand entries use a
// real vector index (RediSearch HNSW) instead.

export interface VectorEntry {
  /** The exact-cache key of the answer this prompt got. */
  id: string;
  /** Everything but the prompt must match exactly (see `semanticScope`). */
  scope: string;
  vector: Float32Array;
}

export interface Nearest {
  id: string;
  similarity: number;
}

export interface VectorIndex {
  /** Adds (or replaces) an entry that expires with its answer; the oldest go past `maxEntries`. */
  add(taskType: string, entry: VectorEntry, ttlSeconds: number, maxEntries: number): Promise<void>;
  /** The most similar live entry with the same scope, if any. */
  nearest(taskType: string, scope: string, vector: Float32Array): Promise<Nearest | undefined>;
  remove(taskType: string, id: string): Promise<void>;
}
