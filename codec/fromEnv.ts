// The payload codecs the environment asks for, composed in the one safe order.
//
// Writing (encode), encryption runs first and the claim check second: a large payload is encrypted,
// then the ciphertext is stored out of history. Reading (decode) is the reverse: the claim check
// fetches the blob first, then it is decrypted. So stored blobs are ciphertext like everything else,
// and the reference left in history holds only a hash and a size.
//
// Claim check is on when CLAIM_CHECK_STORE, CLAIM_CHECK_DIR or CLAIM_CHECK_THRESHOLD_BYTES is set
// (REDIS_URL alone does not turn it on: other parts of the orchestrator use Redis too). While a key
// encrypts, failure messages and stack traces are encoded payloads too (failureConverter.cjs), so
// an error quoting a prompt or an answer is encrypted like the prompt itself.
import { fileURLToPath } from 'node:url';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { ConfigError } from '../common/errors.js';
import { type BlobStore, ClaimCheckCodec, DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES } from './claimCheck.js';
import { DirectoryBlobStore } from './dirStore.js';
import { EncryptionCodec } from './encryption.js';
import { encryptionKeysFromEnv } from './keys.js';
import { RedisBlobStore } from './redisStore.js';

export const DEFAULT_CLAIM_CHECK_DIR = '.data/claims';

/**
 * `DefaultFailureConverter({ encodeCommonAttributes: true })`, by path: Temporal bundles it into the
 * workflow code (the workflow's own failures) and loads it in workers and clients.
 */
export const ENCODED_FAILURES_CONVERTER_PATH: string = fileURLToPath(
  new URL('./failureConverter.cjs', import.meta.url),
);

function thresholdFromEnv(env: NodeJS.ProcessEnv): number {
  const text = env.CLAIM_CHECK_THRESHOLD_BYTES?.trim();
  if (!text) return DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new ConfigError(`CLAIM_CHECK_THRESHOLD_BYTES must be a whole number of bytes; got "${text}"`);
  return value;
}

function blobStoreFromEnv(env: NodeJS.ProcessEnv): BlobStore | undefined {
  const kind = env.CLAIM_CHECK_STORE?.trim().toLowerCase();
  const dir = env.CLAIM_CHECK_DIR?.trim();
  if (kind === 'off') return undefined;
  if (!kind && !dir && !env.CLAIM_CHECK_THRESHOLD_BYTES?.trim()) return undefined;
  const chosen = kind || (dir ? 'dir' : env.REDIS_URL ? 'redis' : 'dir');
  if (chosen === 'dir') return new DirectoryBlobStore(dir || DEFAULT_CLAIM_CHECK_DIR);
  if (chosen === 'redis') {
    if (!env.REDIS_URL)
      throw new ConfigError('CLAIM_CHECK_STORE=redis needs REDIS_URL (e.g. redis://localhost:6379)');
    return new RedisBlobStore(env.REDIS_URL);
  }
  throw new ConfigError(`CLAIM_CHECK_STORE must be redis, dir or off; got "${kind}"`);
}

/** The configured codecs in encode order (encryption, then claim check); empty when none is. */
export function payloadCodecsFromEnv(env: NodeJS.ProcessEnv = process.env): PayloadCodec[] {
  const codecs: PayloadCodec[] = [];
  const keys = encryptionKeysFromEnv(env);
  if (keys) codecs.push(new EncryptionCodec(keys));
  const store = blobStoreFromEnv(env);
  if (store) codecs.push(new ClaimCheckCodec(store, thresholdFromEnv(env)));
  return codecs;
}

/**
 * The data converter for clients, workers and replay when encryption or claim check is configured;
 * undefined otherwise (Temporal's default converter then applies). Every process that reads or
 * writes these workflows needs the same settings. With a current encryption key, failure messages
 * and stack traces are encoded (and so encrypted) too; any process reads them either way.
 */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  const payloadCodecs = payloadCodecsFromEnv(env);
  if (!payloadCodecs.length) return undefined;
  const encrypting = Boolean(encryptionKeysFromEnv(env)?.current);
  return { payloadCodecs, ...(encrypting ? { failureConverterPath: ENCODED_FAILURES_CONVERTER_PATH } : {}) };
}

/** Releases what the codecs hold open (a Redis connection for the claim check). */
export async function closePayloadCodecs(codecs: readonly PayloadCodec[] | undefined): Promise<void> {
  for (const codec of codecs ?? []) if (codec instanceof ClaimCheckCodec) await codec.close();
}
