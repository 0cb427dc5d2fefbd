// The payload codecs the settings ask for, composed in the one safe order.
//
// Writing (encode), encryption runs first and the claim check second: a large payload is encrypted,
// then the ciphertext is stored out of history. Reading (decode) is the reverse: the claim check
// fetches the blob first, then it is decrypted. So stored blobs are ciphertext like everything else,
// and the reference left in history holds only a hash and a size.
//
// The claim check is on when its settings are (config/env.ts readClaimCheckSettings: CLAIM_CHECK_STORE,
// CLAIM_CHECK_DIR or CLAIM_CHECK_THRESHOLD_BYTES). While a key encrypts, failure messages and stack
// traces are encoded payloads too (failureConverter.cjs), so an error quoting a prompt or an answer is
// encrypted like the prompt itself.
import { fileURLToPath } from 'node:url';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { readClaimCheckSettings, readRedisUrl } from '../config/env.js';
import type { ClaimCheckSettings } from '../config/settings.js';
import { claimBlobStore } from '../core/blobs/claims.js';
import type { BlobStore } from '../core/blobs/store.js';
import { ClaimCheckCodec, DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES } from './claimCheck.js';
import { EncryptionCodec } from './encryption.js';
import { type EncryptionKeys, encryptionKeysFromEnv } from './keys.js';

export { DEFAULT_CLAIM_CHECK_DIR } from '../config/env.js';

/**
 * `DefaultFailureConverter({ encodeCommonAttributes: true })`, by path: Temporal bundles it into the
 * workflow code (the workflow's own failures) and loads it in workers and clients.
 */
export const ENCODED_FAILURES_CONVERTER_PATH: string = fileURLToPath(
  new URL('./failureConverter.cjs', import.meta.url),
);

export interface CodecSettings {
  /** Encryption keys; no encryption without them. */
  keys?: EncryptionKeys;
  /** The claim check; off without it. */
  claimCheck?: ClaimCheckSettings;
}

/** PAYLOAD_ENCRYPTION_KEY(_ID), PAYLOAD_DECRYPTION_KEYS and the CLAIM_CHECK_* variables. */
export function codecSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): CodecSettings {
  const keys = encryptionKeysFromEnv(env);
  const claimCheck = readClaimCheckSettings(env);
  return { ...(keys ? { keys } : {}), ...(claimCheck ? { claimCheck } : {}) };
}

/**
 * The configured codecs in encode order (encryption, then claim check); empty when none is. The
 * claim check uses `claimBlobs` (the backend's store) when given.
 */
export function payloadCodecsFor(settings: CodecSettings, claimBlobs?: BlobStore): PayloadCodec[] {
  const codecs: PayloadCodec[] = [];
  if (settings.keys) codecs.push(new EncryptionCodec(settings.keys));
  const { claimCheck } = settings;
  if (claimCheck && claimBlobs)
    codecs.push(
      new ClaimCheckCodec(claimBlobs, claimCheck.thresholdBytes ?? DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES),
    );
  return codecs;
}

/**
 * The data converter for clients, workers and replay when encryption or claim check is configured;
 * undefined otherwise (Temporal's default converter then applies). Every process that reads or
 * writes these workflows needs the same settings. With a current encryption key, failure messages
 * and stack traces are encoded (and so encrypted) too; any process reads them either way.
 */
export function dataConverterFor(settings: CodecSettings, claimBlobs?: BlobStore): DataConverter | undefined {
  const payloadCodecs = payloadCodecsFor(settings, claimBlobs);
  if (!payloadCodecs.length) return undefined;
  const encrypting = Boolean(settings.keys?.current);
  return { payloadCodecs, ...(encrypting ? { failureConverterPath: ENCODED_FAILURES_CONVERTER_PATH } : {}) };
}

/**
 * For a process with no backend of its own (a service's client, the codec server, replay): the codecs
 * from the environment, the claim check's Redis store on a connection of its own that lets a
 * short-lived process exit.
 */
export function payloadCodecsFromEnv(env: NodeJS.ProcessEnv = process.env): PayloadCodec[] {
  const settings = codecSettingsFromEnv(env);
  return payloadCodecsFor(settings, ownClaimStore(settings, env));
}

/** payloadCodecsFromEnv's codecs as a data converter. */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  const settings = codecSettingsFromEnv(env);
  return dataConverterFor(settings, ownClaimStore(settings, env));
}

function ownClaimStore(settings: CodecSettings, env: NodeJS.ProcessEnv): BlobStore | undefined {
  return settings.claimCheck ? claimBlobStore(settings.claimCheck, readRedisUrl(env)) : undefined;
}

/** Releases what the codecs hold open (a Redis connection for the claim check). */
export async function closePayloadCodecs(codecs: readonly PayloadCodec[] | undefined): Promise<void> {
  for (const codec of codecs ?? []) if (codec instanceof ClaimCheckCodec) await codec.close();
}
