// Prompt embeddings in this process, per task type, with the same bound and expiry as the Redis
// index: for one worker without Redis, and for tests.
import type { Nearest, VectorEntry, VectorIndex } from './index.js';
import { cosineSimilarity } from './vectors.js';

interface Stored extends VectorEntry {
  expiresAt: number;
}

export class InProcessVectorIndex implements VectorIndex {
  /** Per task type, entries in insertion order (a Map keeps it), so the oldest go first. */
  private readonly byTask = new Map<string, Map<string, Stored>>();

  constructor(private readonly now: () => number = Date.now) {}

  private live(taskType: string): Map<string, Stored> {
    let entries = this.byTask.get(taskType);
    if (!entries) {
      entries = new Map();
      this.byTask.set(taskType, entries);
    }
    const now = this.now();
    for (const [id, entry] of entries) if (entry.expiresAt <= now) entries.delete(id);
    return entries;
  }

  async add(taskType: string, entry: VectorEntry, ttlSeconds: number, maxEntries: number): Promise<void> {
    if (ttlSeconds <= 0) return;
    const entries = this.live(taskType);
    entries.delete(entry.id);
    entries.set(entry.id, { ...entry, expiresAt: this.now() + ttlSeconds * 1000 });
    for (const id of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(id);
    }
  }

  async nearest(taskType: string, scope: string, vector: Float32Array): Promise<Nearest | undefined> {
    let best: Nearest | undefined;
    for (const entry of this.live(taskType).values()) {
      if (entry.scope !== scope) continue;
      const similarity = cosineSimilarity(vector, entry.vector);
      if (!best || similarity > best.similarity) best = { id: entry.id, similarity };
    }
    return best;
  }

  async remove(taskType: string, id: string): Promise<void> {
    this.byTask.get(taskType)?.delete(id);
  }
}
