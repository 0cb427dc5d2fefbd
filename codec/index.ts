// Payload codecs that keep prompts and answers out of Temporal's history in plaintext (AES-256-GCM
// encryption) and keep large payloads out of it altogether (claim check), composed from the environment.
export {
  type BlobStore,
  CLAIM_CHECK_ENCODING,
  ClaimCheckCodec,
  type ClaimReference,
  DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES,
} from './claimCheck.js';
export { DirectoryBlobStore } from './dirStore.js';
export { CIPHER, ENCRYPTED_ENCODING, EncryptionCodec, KEY_ID_METADATA } from './encryption.js';
export {
  closePayloadCodecs,
  DEFAULT_CLAIM_CHECK_DIR,
  dataConverterFromEnv,
  ENCODED_FAILURES_CONVERTER_PATH,
  payloadCodecsFromEnv,
} from './fromEnv.js';
export { type EncryptionKeys, encryptionKeysFromEnv } from './keys.js';
export { RedisBlobStore } from './redisStore.js';
export { type CodecServerOptions, createCodecServer, decodeWith, encodeWith } from './server.js';
