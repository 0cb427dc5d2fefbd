// API keys: configuration files and the dev list are read into sha256 digests, mistakes name the
// entry, and the Redis hash `llm:apikeys` (real Redis) maps a key's digest to its caller and tenant.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { apiKeyStore, parseKeyFile, parseKeyList } from '../api/keyConfig.js';
import { callerOf, hashKey, REDIS_KEYS_HASH, RedisKeyStore, StaticKeyStore } from '../api/keys.js';
import { type RunningRedis, startRedis } from '../scripts/redis.js';

describe('API key configuration', () => {
  it('reads YAML entries with a plain key or its digest, keeping digests only', () => {
    const digest = hashKey('second-key-0123456789');
    const records = parseKeyFile(
      `- key: first-key-0123456789\n  caller: billing\n- keyHash: ${digest.toUpperCase()}\n  caller: search\n  tenant: acme\n`,
      'keys.yaml',
    );
    assert.deepEqual(records, [
      { keyHash: hashKey('first-key-0123456789'), caller: 'billing' },
      { keyHash: digest, caller: 'search', tenant: 'acme' },
    ]);
    assert.ok(!JSON.stringify(records).includes('first-key'), 'the plain key is not kept');
  });

  it('reads JSON too, and names the file and entry of a mistake', () => {
    assert.equal(parseKeyFile('[{"key": "json-key-0123456789", "caller": "x"}]', 'keys.json').length, 1);
    assert.throws(
      () => parseKeyFile('- caller: nobody\n', 'keys.yaml'),
      (e: Error & { type?: string }) =>
        e.type === 'ConfigError' && /keys\.yaml: 0 .*exactly one of `key` or `keyHash`/.test(e.message),
    );
    assert.throws(
      () => parseKeyFile('- keyHash: abc\n  caller: x\n', 'k.yaml'),
      /k\.yaml: 0\.keyHash must match/,
    );
    assert.throws(() => parseKeyFile('a: [', 'bad.yaml'), /bad\.yaml: not valid YAML/);
  });

  it('reads the API_KEYS dev list', () => {
    assert.deepEqual(parseKeyList('k1:svc1, k2:svc2:acme'), [
      { keyHash: hashKey('k1'), caller: 'svc1' },
      { keyHash: hashKey('k2'), caller: 'svc2', tenant: 'acme' },
    ]);
    assert.throws(() => parseKeyList('k1'), /API_KEYS entry 1 must be key:caller/);
  });

  it('finds the identity of a configured key, and nothing for any other', async () => {
    const store = new StaticKeyStore(parseKeyList('alpha:a,beta:b:t'));
    assert.deepEqual(await store.find('beta'), { caller: 'b', tenant: 't' });
    assert.equal(await store.find('gamma'), undefined);
    assert.equal(await store.find(''), undefined);
    assert.equal(callerOf({ caller: 'b', tenant: 't' }), 't/b');
    assert.equal(callerOf({ caller: 'a' }), 'a');
  });
});

describe('API keys in Redis', () => {
  let redis: RunningRedis;
  let connection: Redis;
  before(async () => {
    redis = await startRedis();
    connection = new Redis(redis.url);
  });
  after(async () => {
    connection?.disconnect();
    await redis?.stop();
  });

  it('maps the digest field of llm:apikeys to a caller and tenant; revoking the field revokes the key', async () => {
    const store = new RedisKeyStore(connection);
    await connection.hset(
      REDIS_KEYS_HASH,
      hashKey('redis-key-1'),
      JSON.stringify({ caller: 'ops', tenant: 'acme' }),
    );
    await connection.hset(REDIS_KEYS_HASH, hashKey('redis-key-2'), 'reports');
    assert.deepEqual(await store.find('redis-key-1'), { caller: 'ops', tenant: 'acme' });
    assert.deepEqual(await store.find('redis-key-2'), { caller: 'reports' });
    assert.equal(await store.find('redis-key-3'), undefined);
    await connection.hdel(REDIS_KEYS_HASH, hashKey('redis-key-1'));
    assert.equal(await store.find('redis-key-1'), undefined);
  });

  it('asks configuration first, then Redis', async () => {
    await connection.hset(REDIS_KEYS_HASH, hashKey('shared'), 'from-redis');
    await connection.hset(REDIS_KEYS_HASH, hashKey('only-redis'), 'redis-only');
    const {
      store,
      configured,
      redis: usesRedis,
    } = apiKeyStore({ keysList: 'shared:from-config' }, connection);
    assert.equal(configured, 1);
    assert.equal(usesRedis, true);
    assert.deepEqual(await store.find('shared'), { caller: 'from-config' });
    assert.deepEqual(await store.find('only-redis'), { caller: 'redis-only' });
    assert.equal(await apiKeyStore({}).store.find('shared'), undefined, 'no keys configured: no access');
  });
});
