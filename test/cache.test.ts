// The exact-match response cache, the same behaviour on both back-ends (a real Redis and the
// in-process LRU): TTL expiry, the three cache modes, hit age, and a key that changes with every
// input that changes the answer and with nothing else.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createCacheActivities } from '../activities/cache.js';
import { type CacheKeySource, cacheKey, cacheKeyInput } from '../core/cache/key.js';
import { LruCacheStore } from '../core/cache/lruStore.js';
import { RedisCacheStore } from '../core/cache/redisStore.js';
import { ResponseCache } from '../core/cache/responseCache.js';
import type { CachedAnswer, CacheStore } from '../core/cache/types.js';
import { type RunningRedis, startRedis } from '../scripts/redis.js';

let server: RunningRedis;
let redis: Redis;
before(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
after(async () => {
  await redis?.quit();
  await server?.stop();
});

const backends: { name: string; store: () => CacheStore }[] = [
  { name: 'redis', store: () => new RedisCacheStore(redis, `test-${randomUUID()}`) },
  { name: 'in-process LRU', store: () => new LruCacheStore() },
];

function source(overrides: { question?: string; model?: string } = {}): CacheKeySource {
  return {
    request: { taskType: 'general_qa', model: overrides.model ?? 'gpt-4o-mini', params: { temperature: 0 } },
    rendered: {
      templateId: 'general_qa',
      version: '1.0.0',
      messages: [
        { role: 'system', content: 'You answer questions.' },
        { role: 'user', content: overrides.question ?? 'What is a durable workflow?' },
      ],
    },
    plan: { maxOutputTokens: 1024 },
  };
}

function answer(text: string): CachedAnswer {
  return {
    model: 'gpt-4o-mini',
    provider: 'openai',
    templateId: 'general_qa',
    templateVersion: '1.0.0',
    output: text,
    text,
    usage: { inputTokens: 20, outputTokens: 8, totalTokens: 28 },
    costUsd: 0.0000078,
    routeDecision: 'pinned gpt-4o-mini',
  };
}

for (const backend of backends) {
  describe(`response cache on ${backend.name}`, () => {
    it('returns a stored answer with its key and age, and nothing once its TTL has passed', async () => {
      const cache = new ResponseCache(backend.store());
      const input = cacheKeyInput(source());
      assert.deepEqual(
        await cache.save(input, answer('A workflow.'), { mode: 'read-write', ttlSeconds: 1 }),
        {
          stored: true,
          key: cacheKey(input),
        },
      );
      await sleep(150);
      const hit = await cache.lookup(input, 'read-write');
      assert.ok(hit.hit, 'expected a hit right after storing');
      assert.deepEqual(hit.answer, answer('A workflow.'));
      assert.equal(hit.info.kind, 'exact');
      assert.equal(hit.info.key, cacheKey(input));
      assert.ok(hit.info.ageMs >= 150 && hit.info.ageMs < 1000, `age ${hit.info.ageMs} ms`);
      await sleep(1000);
      const expired = await cache.lookup(input, 'read-write');
      assert.equal(expired.hit, false);
    });

    it('off neither reads nor writes; read-only reads but never writes; read-write does both', async () => {
      const cache = new ResponseCache(backend.store());
      const stored = cacheKeyInput(source({ question: 'stored' }));
      await cache.save(stored, answer('stored answer'), { mode: 'read-write', ttlSeconds: 60 });

      const off = await cache.lookup(stored, 'off');
      assert.equal(off.hit, false);
      assert.match(off.hit ? '' : off.reason, /off/);
      assert.equal((await cache.lookup(stored, 'read-only')).hit, true);
      assert.equal((await cache.lookup(stored, 'read-write')).hit, true);

      for (const mode of ['off', 'read-only'] as const) {
        const input = cacheKeyInput(source({ question: `written with ${mode}` }));
        const result = await cache.save(input, answer(mode), { mode, ttlSeconds: 60 });
        assert.equal(result.stored, false);
        assert.equal((await cache.lookup(input, 'read-write')).hit, false, `${mode} must not write`);
      }
      const written = cacheKeyInput(source({ question: 'written with read-write' }));
      await cache.save(written, answer('rw'), { mode: 'read-write', ttlSeconds: 60 });
      assert.equal((await cache.lookup(written, 'read-only')).hit, true);
    });

    it('does not store for a task type whose TTL is 0', async () => {
      const cache = new ResponseCache(backend.store());
      const input = cacheKeyInput(source({ question: 'no ttl' }));
      const result = await cache.save(input, answer('x'), { mode: 'read-write', ttlSeconds: 0 });
      assert.equal(result.stored, false);
      assert.equal((await cache.lookup(input, 'read-write')).hit, false);
    });

    it('serves the answer through the activities: store after an answer, look up before calling', async () => {
      const { cacheLookup, cacheStore } = createCacheActivities({
        cache: new ResponseCache(backend.store()),
      });
      const src = source({ question: 'through activities' });
      const miss = await cacheLookup({ ...src, mode: 'read-write' });
      assert.equal(miss.hit, false);
      const stored = await cacheStore({
        ...src,
        plan: { maxOutputTokens: 1024, cacheTtlSeconds: 60 },
        answer: answer('via activity'),
      });
      assert.equal(stored.stored, true);
      const hit = await cacheLookup(src);
      assert.ok(hit.hit);
      assert.equal(hit.answer.text, 'via activity');
      assert.equal(hit.info.key, stored.key);
      assert.equal(miss.hit ? '' : miss.key, stored.key);
    });
  });
}

describe('cache activities', () => {
  it('read a back-end that is down as a miss and say why, instead of failing the request', async () => {
    const down = new Redis(`redis://127.0.0.1:${server.port + 1}`, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    const { cacheLookup, cacheStore } = createCacheActivities({
      cache: new ResponseCache(new RedisCacheStore(down)),
    });
    const lookup = await cacheLookup(source());
    assert.equal(lookup.hit, false);
    assert.match(lookup.hit ? '' : lookup.reason, /cache unavailable/);
    const stored = await cacheStore({
      ...source(),
      plan: { maxOutputTokens: 1024, cacheTtlSeconds: 60 },
      answer: answer('x'),
    });
    assert.equal(stored.stored, false);
    down.disconnect();
  });
});

describe('the cache key', () => {
  const base = source();
  const keyOf = (s: CacheKeySource): string => cacheKey(cacheKeyInput(s));
  const baseKey = keyOf(base);
  const changes: [string, CacheKeySource][] = [
    ['task type', { ...base, request: { ...base.request, taskType: 'code_generation' } }],
    ['template id', { ...base, rendered: { ...base.rendered, templateId: 'other' } }],
    ['template version', { ...base, rendered: { ...base.rendered, version: '1.0.1' } }],
    ['template variant', { ...base, rendered: { ...base.rendered, variant: 'b' } }],
    ['a message', source({ question: 'What is a durable workflow? ' })],
    [
      'a message role',
      {
        ...base,
        rendered: { ...base.rendered, messages: base.rendered.messages.map((m) => ({ ...m, role: 'user' })) },
      },
    ],
    ['the model', source({ model: 'gpt-4o' })],
    ['routing instead of a pinned model', { ...base, request: { ...base.request, model: undefined } }],
    ['the temperature', { ...base, request: { ...base.request, params: { temperature: 0.7 } } }],
    ['top-p', { ...base, request: { ...base.request, params: { temperature: 0, topP: 0.5 } } }],
    ['stop sequences', { ...base, request: { ...base.request, params: { temperature: 0, stop: ['\n'] } } }],
    ['the output cap', { ...base, plan: { maxOutputTokens: 2048 } }],
    ['the output format', { ...base, request: { ...base.request, outputFormat: 'markdown' } }],
    ['a schema', { ...base, request: { ...base.request, schema: { type: 'object' } } }],
    ['the template schema', { ...base, rendered: { ...base.rendered, schema: { type: 'array' } } }],
    [
      'context items',
      {
        ...base,
        request: {
          ...base.request,
          context: [{ id: 'a', content: 'fact', relevanceScore: 1, timestamp: '2026-01-01T00:00:00Z' }],
        },
      },
    ],
    ['the regex fallback', { ...base, request: { ...base.request, allowRegexFallback: true } }],
    [
      'routing criteria',
      { ...base, request: { ...base.request, model: undefined, criteria: { maxCostUsd: 1 } } },
    ],
  ];
  for (const [what, changed] of changes) {
    it(`changes with ${what}`, () => {
      assert.notEqual(keyOf(changed), baseKey);
    });
  }

  it('does not change with anything that leaves the answer alone, nor with key order', () => {
    const request = {
      ...base.request,
      requestId: 'other',
      caller: 'someone',
      deadlineSeconds: 5,
      stream: true,
    };
    assert.equal(keyOf({ ...base, request }), baseKey);
    const reordered: CacheKeySource = {
      plan: { maxOutputTokens: 1024 },
      rendered: {
        messages: base.rendered.messages.map((m) => ({ content: m.content, role: m.role })),
        version: '1.0.0',
        templateId: 'general_qa',
      },
      request: { params: { temperature: 0 }, model: 'gpt-4o-mini', taskType: 'general_qa' },
    };
    assert.equal(keyOf(reordered), baseKey);
    // Spelling a default out (the effective output cap, text output) is the same request.
    const explicit = {
      ...base.request,
      outputFormat: 'text' as const,
      params: { temperature: 0, maxOutputTokens: 1024 },
    };
    assert.equal(keyOf({ ...base, request: explicit }), baseKey);
    assert.match(baseKey, /^v1:[0-9a-f]{64}$/);
  });
});
