// The payload codecs on their own: AES-256-GCM encryption with rotating keys, the claim check with a
// directory and with real Redis, and their composition from the environment.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { Redis } from 'ioredis';
import {
  ClaimCheckCodec,
  closePayloadCodecs,
  DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES,
  DirectoryBlobStore,
  dataConverterFromEnv,
  decodeWith,
  ENCODED_FAILURES_CONVERTER_PATH,
  EncryptionCodec,
  encodeWith,
  encryptionKeysFromEnv,
  payloadCodecsFromEnv,
} from '../codec/index.js';
import { failureType } from '../common/errors.js';
import { projectRoot } from '../config/paths.js';
import { type RunningRedis, startRedis } from '../scripts/redis.js';

const newKey = (): string => randomBytes(32).toString('base64');
const text = (bytes: Uint8Array | null | undefined): string =>
  Buffer.from(bytes ?? new Uint8Array()).toString();
const encodingOf = (p: Payload): string => text(p.metadata?.encoding);
const json = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const value = (p: Payload | undefined): unknown => defaultPayloadConverter.fromPayload(p ?? {});

function codecFor(env: NodeJS.ProcessEnv): EncryptionCodec {
  const keys = encryptionKeysFromEnv(env);
  assert.ok(keys);
  return new EncryptionCodec(keys);
}

const scratch = mkdtempSync(join(tmpdir(), 'codec-test-'));
let redis: RunningRedis;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('encryption', () => {
  const env = { PAYLOAD_ENCRYPTION_KEY: newKey(), PAYLOAD_ENCRYPTION_KEY_ID: '2026-11' };

  it('encrypts the whole payload: only binary/encrypted, the cipher and the key id stay readable', async () => {
    const codec = codecFor(env);
    const original = json({ prompt: 'the secret plan for the orange llama' });
    const [sealed] = await codec.encode([original]);
    assert.ok(sealed);
    assert.equal(encodingOf(sealed), 'binary/encrypted');
    assert.equal(text(sealed.metadata?.['encryption-key-id']), '2026-11');
    assert.equal(text(sealed.metadata?.['encryption-cipher']), 'AES-256-GCM');
    assert.deepEqual(Object.keys(sealed.metadata ?? {}).sort(), [
      'encoding',
      'encryption-cipher',
      'encryption-key-id',
    ]);
    assert.ok(!Buffer.from(sealed.data ?? []).includes('orange llama'));
    assert.ok(!Buffer.from(sealed.data ?? []).includes('json/plain'), 'the inner encoding is encrypted too');
    const [opened] = await codec.decode([sealed]);
    assert.deepEqual(value(opened), { prompt: 'the secret plan for the orange llama' });
    assert.equal(encodingOf(opened ?? {}), 'json/plain');
  });

  it('encrypts the same payload differently each time (a fresh IV per payload)', async () => {
    const codec = codecFor(env);
    const [a, b] = await codec.encode([json('same'), json('same')]);
    assert.notDeepEqual(a?.data, b?.data);
  });

  it('passes payloads written before encryption was turned on through, unchanged', async () => {
    const plain = json({ old: true });
    assert.deepEqual(await codecFor(env).decode([plain]), [plain]);
  });

  it('decrypts with an old key after rotation, and names a key it does not have', async () => {
    const [old] = await codecFor(env).encode([json('written under the old key')]);
    assert.ok(old);
    const rotated = codecFor({
      PAYLOAD_ENCRYPTION_KEY: newKey(),
      PAYLOAD_ENCRYPTION_KEY_ID: '2026-12',
      PAYLOAD_DECRYPTION_KEYS: `2026-11:${env.PAYLOAD_ENCRYPTION_KEY}`,
    });
    assert.equal(value((await rotated.decode([old]))[0]), 'written under the old key');
    const [fresh] = await rotated.encode([json('new')]);
    assert.equal(text(fresh?.metadata?.['encryption-key-id']), '2026-12');

    const forgetful = codecFor({ PAYLOAD_ENCRYPTION_KEY: newKey(), PAYLOAD_ENCRYPTION_KEY_ID: '2026-12' });
    await assert.rejects(
      forgetful.decode([old]),
      /key "2026-11".*PAYLOAD_DECRYPTION_KEYS as 2026-11:<base64>/,
    );
  });

  it('refuses a tampered payload and a payload relabelled with another key id', async () => {
    const codec = codecFor(env);
    const [sealed] = await codec.encode([json('integrity')]);
    assert.ok(sealed?.data);
    const flipped = Uint8Array.from(sealed.data);
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    await assert.rejects(codec.decode([{ ...sealed, data: flipped }]), /does not decrypt/);
    const twoKeys = codecFor({ ...env, PAYLOAD_DECRYPTION_KEYS: `other:${env.PAYLOAD_ENCRYPTION_KEY}` });
    const relabelled = {
      ...sealed,
      metadata: { ...sealed.metadata, 'encryption-key-id': new Uint8Array(Buffer.from('other')) },
    };
    await assert.rejects(twoKeys.decode([relabelled]), /does not decrypt/);
  });

  it('without a current key (turning encryption off) writes plaintext but still reads old payloads', async () => {
    const [old] = await codecFor(env).encode([json('legacy')]);
    const readOnly = codecFor({ PAYLOAD_DECRYPTION_KEYS: `2026-11:${env.PAYLOAD_ENCRYPTION_KEY}` });
    const [written] = await readOnly.encode([json('plain now')]);
    assert.equal(encodingOf(written ?? {}), 'json/plain');
    assert.equal(value((await readOnly.decode([old ?? {}]))[0]), 'legacy');
  });
});

describe('configuration from the environment', () => {
  const configError = (env: NodeJS.ProcessEnv, message: RegExp) => {
    assert.throws(
      () => dataConverterFromEnv(env),
      (e: unknown) => failureType(e) === 'ConfigError' && message.test((e as Error).message),
    );
  };

  it('is off when nothing is configured, and REDIS_URL alone does not turn the claim check on', () => {
    assert.equal(dataConverterFromEnv({}), undefined);
    assert.equal(dataConverterFromEnv({ REDIS_URL: 'redis://127.0.0.1:1' }), undefined);
  });

  it('encodes failure messages while a key encrypts, with a converter any Node process can require()', () => {
    const key = randomBytes(32).toString('base64');
    const encrypting = dataConverterFromEnv({ PAYLOAD_ENCRYPTION_KEY: key, PAYLOAD_ENCRYPTION_KEY_ID: 'k' });
    assert.equal(encrypting?.failureConverterPath, ENCODED_FAILURES_CONVERTER_PATH);
    const claimOnly = dataConverterFromEnv({ CLAIM_CHECK_DIR: tmpdir() });
    assert.equal(claimOnly?.failureConverterPath, undefined, 'nothing to encrypt a message with');
    const decryptOnly = dataConverterFromEnv({ PAYLOAD_DECRYPTION_KEYS: `old:${key}` });
    assert.equal(decryptOnly?.failureConverterPath, undefined);
    // Plain node, no TypeScript loader (as Temporal's require() meets it under bin/llm-orchestrator.js).
    const script = `
      const { defaultPayloadConverter } = require('@temporalio/common');
      const { failureConverter } = require(${JSON.stringify(ENCODED_FAILURES_CONVERTER_PATH)});
      const failure = failureConverter.errorToFailure(new Error('quoted answer'), defaultPayloadConverter);
      const error = failureConverter.failureToError(failure, defaultPayloadConverter);
      console.log(JSON.stringify([failure.message, Boolean(failure.encodedAttributes), error.message]));`;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: projectRoot, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), ['Encoded failure', true, 'quoted answer']);
  });

  it('names what is wrong with a key and how to make one', () => {
    configError(
      { PAYLOAD_ENCRYPTION_KEY: randomBytes(16).toString('base64'), PAYLOAD_ENCRYPTION_KEY_ID: 'k' },
      /exactly 32 bytes.*got 16 bytes.*openssl rand -base64 32/,
    );
    configError({ PAYLOAD_ENCRYPTION_KEY: 'not base64!', PAYLOAD_ENCRYPTION_KEY_ID: 'k' }, /not base64/);
    configError({ PAYLOAD_ENCRYPTION_KEY: newKey() }, /PAYLOAD_ENCRYPTION_KEY_ID is required/);
    configError({ PAYLOAD_DECRYPTION_KEYS: 'no-colon' }, /not id:base64/);
    configError(
      {
        PAYLOAD_ENCRYPTION_KEY: newKey(),
        PAYLOAD_ENCRYPTION_KEY_ID: 'a',
        PAYLOAD_DECRYPTION_KEYS: `a:${newKey()}`,
      },
      /configured twice/,
    );
    configError({ CLAIM_CHECK_STORE: 'redis' }, /needs REDIS_URL/);
    configError({ CLAIM_CHECK_STORE: 's3' }, /redis, dir or off/);
    configError({ CLAIM_CHECK_THRESHOLD_BYTES: '1MB' }, /whole number of bytes/);
  });

  it('composes encryption first, then the claim check, with 128 KiB as the default threshold', () => {
    const codecs = payloadCodecsFromEnv({
      PAYLOAD_ENCRYPTION_KEY: newKey(),
      PAYLOAD_ENCRYPTION_KEY_ID: 'k',
      CLAIM_CHECK_DIR: scratch,
    });
    assert.equal(codecs.length, 2);
    assert.ok(codecs[0] instanceof EncryptionCodec);
    assert.ok(codecs[1] instanceof ClaimCheckCodec);
    assert.equal(codecs[1].thresholdBytes, 128 * 1024);
    assert.equal(DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES, 131072);
  });
});

describe('claim check', () => {
  it('keeps small payloads inline and stores a large one by its sha256, leaving only the reference', async () => {
    const dir = join(scratch, 'small-large');
    const codec = new ClaimCheckCodec(new DirectoryBlobStore(dir), 1024);
    const small = json('x'.repeat(1000));
    const large = json(`the large context ${'y'.repeat(5000)}`);
    const [inline, claimed] = await codec.encode([small, large]);
    assert.deepEqual(inline, small);
    assert.ok(claimed);
    assert.equal(encodingOf(claimed), 'binary/claim-check');
    const reference = JSON.parse(text(claimed.data)) as { sha256: string; size: number; store: string };
    assert.ok((claimed.data?.byteLength ?? 0) < 200, 'the reference is small');
    assert.deepEqual(readdirSync(dir), [reference.sha256]);
    const blob = readFileSync(join(dir, reference.sha256));
    assert.equal(createHash('sha256').update(blob).digest('hex'), reference.sha256);
    assert.equal(blob.byteLength, reference.size);
    assert.deepEqual(await codec.decode([inline ?? {}, claimed]), [small, large]);
  });

  it('refuses a missing or corrupted blob, naming the store', async () => {
    const dir = join(scratch, 'corrupt');
    const codec = new ClaimCheckCodec(new DirectoryBlobStore(dir), 10);
    const [claimed] = await codec.encode([json('z'.repeat(100))]);
    const { sha256 } = JSON.parse(text(claimed?.data)) as { sha256: string };
    writeFileSync(join(dir, sha256), 'tampered');
    await assert.rejects(codec.decode([claimed ?? {}]), /is corrupt/);
    const elsewhere = new ClaimCheckCodec(new DirectoryBlobStore(join(scratch, 'empty')), 10);
    await assert.rejects(elsewhere.decode([claimed ?? {}]), new RegExp(`claim ${sha256}.*is not in dir:`));
  });

  it('stores ciphertext when composed with encryption: the blob never holds the plaintext', async () => {
    const dir = join(scratch, 'composed');
    const codecs: PayloadCodec[] = payloadCodecsFromEnv({
      PAYLOAD_ENCRYPTION_KEY: newKey(),
      PAYLOAD_ENCRYPTION_KEY_ID: 'k',
      CLAIM_CHECK_DIR: dir,
      CLAIM_CHECK_THRESHOLD_BYTES: '4096',
    });
    const large = json(`purple-walrus ${'context '.repeat(2000)}`);
    const [onWire] = await encodeWith(codecs, [large]);
    assert.equal(encodingOf(onWire ?? {}), 'binary/claim-check');
    const [blobName] = readdirSync(dir);
    assert.ok(blobName);
    const blob = readFileSync(join(dir, blobName));
    assert.ok(!blob.includes('purple-walrus'));
    assert.ok(
      blob.includes('binary/encrypted') || blob.includes(Buffer.from('binary/encrypted').toString('base64')),
    );
    assert.deepEqual(await decodeWith(codecs, [onWire ?? {}]), [large]);
  });

  it('stores blobs in Redis (CLAIM_CHECK_STORE=redis) where another process can redeem them', async () => {
    const env = { CLAIM_CHECK_STORE: 'redis', REDIS_URL: redis.url, CLAIM_CHECK_THRESHOLD_BYTES: '100' };
    const writer = payloadCodecsFromEnv(env);
    const reader = payloadCodecsFromEnv(env);
    const direct = new Redis(redis.url);
    try {
      const large = json('r'.repeat(1000));
      const [claimed] = await encodeWith(writer, [large]);
      const { sha256, store } = JSON.parse(text(claimed?.data)) as { sha256: string; store: string };
      assert.equal(store, 'redis');
      assert.equal(await direct.exists(`llm:claim:${sha256}`), 1);
      assert.deepEqual(await decodeWith(reader, [claimed ?? {}]), [large]);
    } finally {
      direct.disconnect();
      await closePayloadCodecs(writer);
      await closePayloadCodecs(reader);
    }
  });

  it('lets a short-lived process that used the Redis store exit without closing it', async () => {
    const script = `
      import { RedisBlobStore } from './core/blobs/redis.ts';
      const store = new RedisBlobStore(${JSON.stringify(redis.url)}, { prefix: 'llm:claim:' });
      await store.put('${'a'.repeat(64)}', new Uint8Array([1, 2, 3]));
      console.log((await store.get('${'a'.repeat(64)}'))?.length);
    `;
    const started = Date.now();
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: projectRoot,
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk;
      });
      const timer = setTimeout(() => child.kill(), 60_000);
      child.once('close', (exit) => {
        clearTimeout(timer);
        resolve({ code: exit, stdout: out });
      });
    });
    assert.equal(code, 0, `exited by itself (after ${Date.now() - started} ms)`);
    assert.equal(stdout.trim(), '3');
  });
});
