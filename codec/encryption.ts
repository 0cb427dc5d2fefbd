// AES-256-GCM payload encryption. The whole payload (its metadata too) is encrypted; what stays in
// the clear is only what a reader needs to decrypt it: the encoding `binary/encrypted`, the cipher
// and the key id. GCM authenticates, so a tampered or wrongly keyed payload fails to decode loudly.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { metadataText, packPayload, textBytes, unpackPayload } from './envelope.js';
import type { EncryptionKeys } from './keys.js';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const CIPHER = 'AES-256-GCM';
export const KEY_ID_METADATA = 'encryption-key-id';
export const CIPHER_METADATA = 'encryption-cipher';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: EncryptionKeys) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const current = this.keys.current;
    // Without a current key (rotation to plaintext), new payloads are written as they are.
    if (!current) return payloads;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      // The key id is bound to the ciphertext: relabelling a payload with another id fails to decrypt.
      cipher.setAAD(Buffer.from(current.id));
      const sealed = Buffer.concat([cipher.update(packPayload(payload)), cipher.final()]);
      return {
        metadata: {
          encoding: textBytes(ENCRYPTED_ENCODING),
          [CIPHER_METADATA]: textBytes(CIPHER),
          [KEY_ID_METADATA]: textBytes(current.id),
        },
        data: new Uint8Array(Buffer.concat([iv, sealed, cipher.getAuthTag()])),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    // Payloads written before encryption was turned on pass through untouched.
    return payloads.map((payload) =>
      metadataText(payload, 'encoding') === ENCRYPTED_ENCODING ? this.decrypt(payload) : payload,
    );
  }

  private decrypt(payload: Payload): Payload {
    const keyId = metadataText(payload, KEY_ID_METADATA) ?? '';
    const key = this.keys.byId.get(keyId);
    if (!key)
      throw new Error(
        `payload encrypted with key "${keyId}", which is not configured: add it to PAYLOAD_DECRYPTION_KEYS as ${keyId}:<base64>`,
      );
    const cipherName = metadataText(payload, CIPHER_METADATA);
    if (cipherName && cipherName !== CIPHER)
      throw new Error(`payload encrypted with ${cipherName}; this codec reads ${CIPHER} only`);
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted payload is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    try {
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return unpackPayload(plain);
    } catch (error) {
      throw new Error(
        `payload encrypted with key "${keyId}" does not decrypt with the configured key of that id (wrong key or tampered data): ${(error as Error).message}`,
      );
    }
  }
}
