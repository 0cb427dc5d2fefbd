// Payload codecs that keep prompts and answers out of Temporal's history in plaintext (AES-256-GCM
// encryption) and keep large payloads out of it altogether (claim check), composed from the environment.

export { DirectoryBlobStore } from '../core/blobs/directory.js';
export { RedisBlobStore } from '../core/blobs/redis.js';
export {
  type BlobStore,
  CLAIM_CHECK_ENCODING,
  ClaimCheckCodec,
  type ClaimReference,
  DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES,
} from './claimCheck.js';
export { CIPHER, ENCRYPTED_ENCODING, EncryptionCodec, KEY_ID_METADATA } from './encryption.js';
export {
  type CodecSettings,
  closePayloadCodecs,
  codecSettingsFromEnv,
  DEFAULT_CLAIM_CHECK_DIR,
  dataConverterFor,
  dataConverterFromEnv,
  ENCODED_FAILURES_CONVERTER_PATH,
  payloadCodecsFor,
  payloadCodecsFromEnv,
} from './fromEnv.js';
export { type EncryptionKeys, encryptionKeysFromEnv } from './keys.js';
export { type CodecServerOptions, createCodecServer, decodeWith, encodeWith } from './server.js';
