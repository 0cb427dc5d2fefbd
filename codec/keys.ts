// Encryption keys from the environment. One current key encrypts; it and any older keys decrypt, each
// found by the id written into the payload, so keys can rotate without losing old histories:
//   PAYLOAD_ENCRYPTION_KEY     base64 of 32 random bytes (openssl rand -base64 32)
//   PAYLOAD_ENCRYPTION_KEY_ID  the current key's name, e.g. 2026-11
//   PAYLOAD_DECRYPTION_KEYS    older keys, decrypt only: "id1:base64,id2:base64"
import { ConfigError } from '../common/errors.js';

export interface EncryptionKeys {
  /** Encrypts new payloads; absent when only old keys are kept (encryption being turned off). */
  current?: { id: string; key: Buffer };
  /** Every key that may decrypt, by id (the current one included). */
  byId: ReadonlyMap<string, Buffer>;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function parseKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!BASE64.test(trimmed) || key.length !== 32)
    throw new ConfigError(
      `${where} must be the base64 of exactly 32 bytes (AES-256); got ${BASE64.test(trimmed) ? `${key.length} bytes` : 'text that is not base64'}. Make one with: openssl rand -base64 32`,
    );
  return key;
}

function checkId(id: string, where: string): string {
  if (!KEY_ID.test(id))
    throw new ConfigError(`${where}: key id "${id}" must be 1-64 characters of A-Z a-z 0-9 . _ -`);
  return id;
}

/** The keys the environment configures, or undefined when encryption is not configured at all. */
export function encryptionKeysFromEnv(env: NodeJS.ProcessEnv): EncryptionKeys | undefined {
  const byId = new Map<string, Buffer>();
  let current: EncryptionKeys['current'];
  const currentKey = env.PAYLOAD_ENCRYPTION_KEY?.trim();
  if (currentKey) {
    const id = env.PAYLOAD_ENCRYPTION_KEY_ID?.trim();
    if (!id)
      throw new ConfigError(
        'PAYLOAD_ENCRYPTION_KEY_ID is required with PAYLOAD_ENCRYPTION_KEY: name the key (e.g. 2026-11) so payloads say which key encrypted them and the key can be rotated',
      );
    current = {
      id: checkId(id, 'PAYLOAD_ENCRYPTION_KEY_ID'),
      key: parseKey(currentKey, 'PAYLOAD_ENCRYPTION_KEY'),
    };
    byId.set(current.id, current.key);
  }
  for (const entry of (env.PAYLOAD_DECRYPTION_KEYS ?? '').split(',')) {
    if (!entry.trim()) continue;
    const colon = entry.indexOf(':');
    if (colon < 0)
      throw new ConfigError(`PAYLOAD_DECRYPTION_KEYS: "${entry.trim().slice(0, 20)}…" is not id:base64`);
    const id = checkId(entry.slice(0, colon).trim(), 'PAYLOAD_DECRYPTION_KEYS');
    const key = parseKey(entry.slice(colon + 1), `PAYLOAD_DECRYPTION_KEYS (key ${id})`);
    const known = byId.get(id);
    if (known && !known.equals(key))
      throw new ConfigError(
        `key id ${id} is configured twice with different keys: each id must name one key`,
      );
    byId.set(id, key);
  }
  if (!current && byId.size === 0) return undefined;
  return current ? { current, byId } : { byId };
}
