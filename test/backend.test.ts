// The backend factory against a real Redis and a real directory: on Redis every store shares the one
// connection it opened and writes the key layouts deployments and drills already read; without Redis
// the blobs keep their two on-disk layouts and nothing connects anywhere.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { readBackendSettings } from '../config/env.js';
import { createBackend } from '../core/backend.js';
import { sha256Hex } from '../core/blobs/store.js';
import { processStreamStore } from '../core/streaming/index.js';
import { type RunningRedis, startRedis } from '../scripts/redis.js';

let server: RunningRedis;
let inspect: Redis;
let scratch: string;
before(async () => {
  server = await startRedis();
  inspect = new Redis(server.url);
  scratch = await mkdtemp(join(tmpdir(), 'backend-'));
});
after(async () => {
  inspect?.disconnect();
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

/** Clients connected to the server, other than the one inspecting it. */
async function otherClients(): Promise<number> {
  const list = await inspect.client('LIST');
  return String(list).trim().split('\n').length - 1;
}

describe('the backend on Redis', () => {
  it('builds every store on one connection, with the key layouts deployments read', async () => {
    const backend = createBackend({
      settings: readBackendSettings({ REDIS_URL: server.url, CLAIM_CHECK_STORE: 'redis' }),
    });
    assert.equal(backend.kind, 'redis');
    try {
      const pipelineText = JSON.stringify({ step: 'plan' });
      const pipelineKey = sha256Hex(pipelineText);
      await backend.pipelineBlobs.put(pipelineKey, bytes(pipelineText));
      const claimKey = sha256Hex('claimed payload');
      await backend.claimBlobs?.put(claimKey, bytes('claimed payload'));
      await backend.streams.publish('req-1', { type: 'try_succeeded', model: 'gpt-4o', try: 1 });
      await backend.healthStore().recordFailure('gpt-4o', 'ProviderError');
      await backend.usage.totals({ by: 'model' });

      assert.ok((await inspect.ttl(`llm:blob:${pipelineKey}`)) > 6 * 24 * 3600, 'pipeline blobs expire');
      assert.equal(await inspect.ttl(`llm:claim:${claimKey}`), -1, 'claims never expire');
      assert.equal(await inspect.type('llm:stream:req-1'), 'stream');
      assert.equal(await inspect.hget('llm:circuit:gpt-4o', 'failures'), '1');
      assert.deepEqual(await inspect.smembers('llm:circuits'), ['gpt-4o']);
      assert.equal(
        Buffer.from((await backend.pipelineBlobs.get(pipelineKey)) ?? []).toString(),
        pipelineText,
      );
      assert.equal(await otherClients(), 1, 'one connection for every store');
    } finally {
      await backend.close();
    }
    const connection = backend.redis;
    assert.ok(connection);
    if (connection.status !== 'end') await once(connection, 'end');
    assert.equal(await otherClients(), 0, 'close() closed the connection it opened');
  });

  it('leaves a connection it was given open', async () => {
    const given = new Redis(server.url);
    try {
      const backend = createBackend({ redis: given });
      await backend.healthStore().all();
      await backend.close();
      assert.equal(await given.ping(), 'PONG');
    } finally {
      given.disconnect();
    }
  });
});

describe('the backend in-process', () => {
  it('keeps blobs in their two directory layouts and opens no connection', async () => {
    const blobDir = join(scratch, 'blobs');
    const claimDir = join(scratch, 'claims');
    const backend = createBackend({
      settings: readBackendSettings({ PIPELINE_BLOB_DIR: blobDir, CLAIM_CHECK_DIR: claimDir }),
    });
    assert.equal(backend.kind, 'in-process');
    const key = sha256Hex('"hello"');
    await backend.pipelineBlobs.put(key, bytes('"hello"'));
    await backend.claimBlobs?.put(key, bytes('"hello"'));
    assert.ok(existsSync(join(blobDir, key.slice(0, 2), `${key}.json`)), 'pipelines: <2 hex>/<sha256>.json');
    assert.ok(existsSync(join(claimDir, key)), 'claim check: <sha256>');
    assert.equal(backend.streams, processStreamStore(), "the process's one stream store");
    assert.equal(backend.redis, undefined);
    assert.equal(backend.claimBlobs?.name, `dir:${claimDir}`);
    await backend.close();
  });

  it('has no claim-check store while the claim check is off', () => {
    assert.equal(createBackend({ settings: readBackendSettings({}) }).claimBlobs, undefined);
  });
});
