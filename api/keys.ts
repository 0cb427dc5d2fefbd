// Who is calling: API keys are kept only as sha256 digests (from config or Redis) and each maps to a
// caller and an optional tenant. Digests are compared in constant time; the keys themselves are never
// stored or logged.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface ApiIdentity {
  caller: string;
  tenant?: string;
}

/** A configured key: its sha256 digest (hex) and whom it identifies. */
export interface ApiKeyRecord extends ApiIdentity {
  keyHash: string;
}

export interface ApiKeyStore {
  /** The identity a key belongs to, or undefined for an unknown key. */
  find(key: string): Promise<ApiIdentity | undefined>;
}

/** Hex sha256 of a key: what config files and Redis hold instead of the key. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The `caller` a request gets: `tenant/caller` when the key names a tenant. */
export function callerOf(identity: ApiIdentity): string {
  return identity.tenant ? `${identity.tenant}/${identity.caller}` : identity.caller;
}

/** Keys from configuration. Every digest is compared, so the time taken says nothing about which matched. */
export class StaticKeyStore implements ApiKeyStore {
  private readonly records: { digest: Buffer; identity: ApiIdentity }[];

  constructor(records: readonly ApiKeyRecord[]) {
    this.records = records.map(({ keyHash, ...identity }) => ({
      digest: Buffer.from(keyHash, 'hex'),
      identity,
    }));
  }

  get size(): number {
    return this.records.length;
  }

  async find(key: string): Promise<ApiIdentity | undefined> {
    const digest = Buffer.from(hashKey(key), 'hex');
    let found: ApiIdentity | undefined;
    for (const record of this.records) {
      if (timingSafeEqual(record.digest, digest) && !found) found = record.identity;
    }
    return found;
  }
}

export const REDIS_KEYS_HASH = 'llm:apikeys';

/**
 * Keys in the Redis hash `llm:apikeys`: field = sha256 hex of the key, value = JSON
 * `{"caller": "...", "tenant": "..."}` (or just the caller's name). Keys can be added and revoked
 * without restarting the API.
 */
export class RedisKeyStore implements ApiKeyStore {
  constructor(
    private readonly redis: Redis,
    private readonly hashName: string = REDIS_KEYS_HASH,
  ) {}

  async find(key: string): Promise<ApiIdentity | undefined> {
    // Looked up by digest: timing can only reveal something about the digest, which is not a secret.
    const value = await this.redis.hget(this.hashName, hashKey(key));
    return value === null ? undefined : parseIdentity(value);
  }
}

function parseIdentity(value: string): ApiIdentity | undefined {
  const trimmed = value.trim();
  if (!trimmed.startsWith('{')) return trimmed ? { caller: trimmed } : undefined;
  try {
    const parsed = JSON.parse(trimmed) as Partial<ApiIdentity>;
    if (typeof parsed.caller !== 'string' || !parsed.caller) return undefined;
    return {
      caller: parsed.caller,
      ...(typeof parsed.tenant === 'string' && parsed.tenant ? { tenant: parsed.tenant } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Asks each store in turn (configuration first, then Redis). */
export class ChainedKeyStore implements ApiKeyStore {
  constructor(private readonly stores: readonly ApiKeyStore[]) {}

  async find(key: string): Promise<ApiIdentity | undefined> {
    for (const store of this.stores) {
      const identity = await store.find(key);
      if (identity) return identity;
    }
    return undefined;
  }
}
