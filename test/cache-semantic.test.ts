// The semantic cache, on both back-ends (Redis vectors and in-process), with real embeddings from
// the emulator's OpenAI embeddings API: a similar prompt above the threshold gets the cached answer
// and its similarity; below the threshold, or with anything else different, it is a miss.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { SemanticSettings } from '../core/cache/config.js';
import { type CacheKeyInput, cacheKey, cacheKeyInput } from '../core/cache/key.js';
import { LruCacheStore } from '../core/cache/lruStore.js';
import { RedisCacheStore } from '../core/cache/redisStore.js';
import { ResponseCache } from '../core/cache/responseCache.js';
import type { VectorIndex } from '../core/cache/semantic/index.js';
import { InProcessVectorIndex } from '../core/cache/semantic/memoryIndex.js';
import { RedisVectorIndex } from '../core/cache/semantic/redisIndex.js';
import type { CachedAnswer, CacheStore } from '../core/cache/types.js';
import { createEmbedder } from '../core/providers/embeddings.js';
import { createEmulator, type Emulator } from '../emulator/server.js';
import { type RunningRedis, startRedis } from '../scripts/redis.js';

let server: RunningRedis;
let redis: Redis;
let emulator: Emulator;
before(async () => {
  [server, emulator] = await Promise.all([startRedis(), createEmulator()]);
  redis = new Redis(server.url);
});
after(async () => {
  await redis?.quit();
  await Promise.all([server?.stop(), emulator?.close()]);
});

const backends: { name: string; make: () => { store: CacheStore; index: VectorIndex } }[] = [
  {
    name: 'redis',
    make: () => {
      const prefix = `test-${randomUUID()}`;
      return {
        store: new RedisCacheStore(redis, `${prefix}:cache`),
        index: new RedisVectorIndex(redis, `${prefix}:sem`),
      };
    },
  },
  { name: 'in-process', make: () => ({ store: new LruCacheStore(), index: new InProcessVectorIndex() }) },
];

function prompt(question: string, model = 'gpt-4o-mini', taskType = 'general_qa'): CacheKeyInput {
  return cacheKeyInput({
    request: { taskType, model, params: { temperature: 0 } },
    rendered: {
      templateId: 'general_qa',
      version: '1.0.0',
      messages: [
        { role: 'system', content: 'You answer questions.' },
        { role: 'user', content: question },
      ],
    },
    plan: { maxOutputTokens: 1024 },
  });
}

const answer: CachedAnswer = {
  model: 'gpt-4o-mini',
  provider: 'openai',
  templateId: 'general_qa',
  templateVersion: '1.0.0',
  output: 'A workflow whose state survives crashes.',
  text: 'A workflow whose state survives crashes.',
  usage: { inputTokens: 20, outputTokens: 9, totalTokens: 29 },
  costUsd: 0.0000084,
  routeDecision: 'pinned gpt-4o-mini',
};

const ORIGINAL = 'What is a durable workflow in Temporal?';
const SIMILAR = 'What is a durable workflow in Temporal, briefly?';
const UNRELATED = 'How do I bake sourdough bread at home?';

for (const backend of backends) {
  describe(`semantic cache on ${backend.name}`, () => {
    const setup = (settings: Record<string, SemanticSettings>) => {
      const { store, index } = backend.make();
      const embedder = createEmbedder({ apiKey: 'test-key', baseURL: emulator.openaiBaseURL }, {});
      return new ResponseCache(store, { index, embedder, settings: (taskType) => settings[taskType] });
    };

    it('serves a similar prompt above the threshold and states the similarity', async () => {
      const cache = setup({ general_qa: { threshold: 0.9, maxEntries: 100 } });
      await cache.save(prompt(ORIGINAL), answer, { mode: 'read-write', ttlSeconds: 60 });
      const hit = await cache.lookup(prompt(SIMILAR), 'read-only');
      assert.ok(hit.hit, `expected a semantic hit: ${hit.hit ? '' : hit.reason}`);
      assert.equal(hit.info.kind, 'semantic');
      assert.equal(hit.info.key, cacheKey(prompt(ORIGINAL)));
      assert.ok(hit.info.similarity !== undefined && hit.info.similarity >= 0.9 && hit.info.similarity < 1);
      assert.deepEqual(hit.answer, answer);
      // An identical prompt is an exact hit, not a semantic one.
      const exact = await cache.lookup(prompt(ORIGINAL), 'read-only');
      assert.ok(exact.hit);
      assert.equal(exact.info.kind, 'exact');
      assert.equal(exact.info.similarity, undefined);
    });

    it('misses below the threshold and says how close the nearest prompt came', async () => {
      const cache = setup({ general_qa: { threshold: 0.99, maxEntries: 100 } });
      await cache.save(prompt(ORIGINAL), answer, { mode: 'read-write', ttlSeconds: 60 });
      const near = await cache.lookup(prompt(SIMILAR), 'read-write');
      assert.equal(near.hit, false);
      assert.ok(
        !near.hit && near.similarity !== undefined && near.similarity > 0.9 && near.similarity < 0.99,
      );
      assert.match(near.hit ? '' : near.reason, /below the threshold 0.99/);
      const far = await cache.lookup(prompt(UNRELATED), 'read-write');
      assert.ok(!far.hit && (far.similarity ?? 1) < 0.6, `unrelated prompt scored ${JSON.stringify(far)}`);
    });

    it('never crosses a model, task type or template: only the prompt may differ', async () => {
      const cache = setup({
        general_qa: { threshold: 0.9, maxEntries: 100 },
        documentation_generation: { threshold: 0.9, maxEntries: 100 },
      });
      await cache.save(prompt(ORIGINAL), answer, { mode: 'read-write', ttlSeconds: 60 });
      assert.equal((await cache.lookup(prompt(SIMILAR, 'gpt-4o'), 'read-write')).hit, false);
      assert.equal(
        (await cache.lookup(prompt(SIMILAR, 'gpt-4o-mini', 'documentation_generation'), 'read-write')).hit,
        false,
      );
    });

    it('is off for task types that did not opt in, and for cache mode off', async () => {
      const cache = setup({ documentation_generation: { threshold: 0.5, maxEntries: 100 } });
      await cache.save(prompt(ORIGINAL), answer, { mode: 'read-write', ttlSeconds: 60 });
      const miss = await cache.lookup(prompt(SIMILAR), 'read-write');
      assert.equal(miss.hit, false);
      assert.equal(miss.hit ? undefined : miss.similarity, undefined);
      const opted = setup({ general_qa: { threshold: 0.9, maxEntries: 100 } });
      await opted.save(prompt(ORIGINAL), answer, { mode: 'read-write', ttlSeconds: 60 });
      assert.equal((await opted.lookup(prompt(SIMILAR), 'off')).hit, false);
    });

    it('keeps at most maxEntries prompts per task type, dropping the oldest', async () => {
      const cache = setup({ general_qa: { threshold: 0.9, maxEntries: 2 } });
      await cache.save(prompt(ORIGINAL), answer, { mode: 'read-write', ttlSeconds: 60 });
      await cache.save(prompt('Explain retries with back-off.'), answer, {
        mode: 'read-write',
        ttlSeconds: 61,
      });
      await cache.save(prompt('What does a Temporal worker poll?'), answer, {
        mode: 'read-write',
        ttlSeconds: 62,
      });
      // The exact entry is still there, but its vector was the oldest and went.
      assert.equal((await cache.lookup(prompt(ORIGINAL), 'read-write')).hit, true);
      assert.equal((await cache.lookup(prompt(SIMILAR), 'read-write')).hit, false);
      assert.equal(
        (await cache.lookup(prompt('Explain retries with back-off, please.'), 'read-write')).hit,
        true,
      );
    });

    it('drops a vector whose answer has expired', async () => {
      const cache = setup({ general_qa: { threshold: 0.9, maxEntries: 100 } });
      await cache.save(prompt(ORIGINAL), answer, { mode: 'read-write', ttlSeconds: 1 });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.equal((await cache.lookup(prompt(SIMILAR), 'read-write')).hit, false);
    });
  });
}

describe('the embedder', () => {
  it('calls the embeddings API once per distinct text', async () => {
    emulator.clearCalls();
    const embedder = createEmbedder({ apiKey: 'test-key', baseURL: emulator.openaiBaseURL }, {});
    const first = await embedder.embed(ORIGINAL);
    const again = await embedder.embed(ORIGINAL);
    assert.equal(first.vector.length, 256);
    assert.ok(first.tokens > 0);
    assert.equal(again.tokens, 0);
    assert.deepEqual(again.vector, first.vector);
    assert.equal(emulator.calls().filter((c) => c.path === '/v1/embeddings').length, 1);
  });
});

describe('semantic cache with its embeddings API failing', () => {
  it('still serves and stores exact entries, and says why similar prompts were not looked up', async () => {
    emulator.addFault({ model: 'text-embedding-3-small', status: 500, times: 2 });
    const embedder = createEmbedder({ apiKey: 'test-key', baseURL: emulator.openaiBaseURL }, {});
    const cache = new ResponseCache(new LruCacheStore(), {
      index: new InProcessVectorIndex(),
      embedder,
      settings: () => ({ threshold: 0.9, maxEntries: 10 }),
    });
    const input = prompt('What is an embedding outage?');
    const stored = await cache.save(input, answer, { mode: 'read-write', ttlSeconds: 60 });
    assert.equal(stored.stored, true);
    assert.match(stored.reason ?? '', /exact matches only/);
    const similar = await cache.lookup(prompt('What is an embedding outage, briefly?'), 'read-write');
    assert.match(similar.hit ? '' : similar.reason, /semantic lookup failed/);
    assert.equal((await cache.lookup(input, 'read-write')).hit, true);
    emulator.clearFaults();
  });
});
