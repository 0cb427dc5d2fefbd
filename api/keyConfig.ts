// API keys from configuration: API_KEYS_FILE (YAML or JSON, `[{ keyHash | key, caller, tenant? }]`) and,
// for development, API_KEYS ("key1:caller1,key2:caller2"), as config/env.ts readApiSettings reads
// them. Plain keys are hashed as soon as they are read; only digests are kept. Mistakes name the file
// and the entry.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { Redis } from 'ioredis';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../common/errors.js';
import {
  type ApiKeyRecord,
  type ApiKeyStore,
  ChainedKeyStore,
  hashKey,
  RedisKeyStore,
  StaticKeyStore,
} from './keys.js';

const entrySchema = {
  type: 'object',
  required: ['caller'],
  additionalProperties: false,
  properties: {
    key: { type: 'string', minLength: 16 },
    keyHash: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
    caller: { type: 'string', minLength: 1, maxLength: 100 },
    tenant: { type: 'string', minLength: 1, maxLength: 100 },
  },
  oneOf: [{ required: ['key'] }, { required: ['keyHash'] }],
} as const;

const fileSchema = { type: 'array', items: entrySchema } as const;
const validateFile = new Ajv({ allErrors: true }).compile(fileSchema);

interface KeyEntry {
  key?: string;
  keyHash?: string;
  caller: string;
  tenant?: string;
}

/** Parses a keys file's text (YAML is a superset of JSON, so one parser reads both). */
export function parseKeyFile(text: string, source: string): ApiKeyRecord[] {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${source}: not valid YAML/JSON: ${(error as Error).message}`);
  }
  if (!validateFile(data)) {
    const problems = (validateFile.errors ?? []).map((e) => {
      const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
      const extra = e.keyword === 'oneOf' ? ': give exactly one of `key` or `keyHash` (sha256 hex)' : '';
      return `${where} ${e.message ?? 'is invalid'}${extra}`;
    });
    throw new ConfigError(`${source}: ${problems.join('; ')}`, { details: { source, problems } });
  }
  return (data as KeyEntry[]).map((entry) => ({
    keyHash: (entry.keyHash ?? hashKey(entry.key as string)).toLowerCase(),
    caller: entry.caller,
    ...(entry.tenant ? { tenant: entry.tenant } : {}),
  }));
}

/** Parses API_KEYS: comma-separated `key:caller` (or `key:caller:tenant`) pairs. */
export function parseKeyList(list: string): ApiKeyRecord[] {
  return list
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item, index) => {
      const [key, caller, tenant] = item.split(':');
      if (!key || !caller) {
        throw new ConfigError(`API_KEYS entry ${index + 1} must be key:caller (or key:caller:tenant)`);
      }
      return { keyHash: hashKey(key), caller, ...(tenant ? { tenant } : {}) };
    });
}

/** Where configured keys come from (config/env.ts readApiSettings reads them from the environment). */
export interface ApiKeySettings {
  /** API_KEYS_FILE. */
  keysFile?: string;
  /** API_KEYS. */
  keysList?: string;
}

export function configuredKeyRecords(settings: ApiKeySettings): ApiKeyRecord[] {
  const records: ApiKeyRecord[] = [];
  if (settings.keysFile) {
    let text: string;
    try {
      text = readFileSync(settings.keysFile, 'utf8');
    } catch (error) {
      throw new ConfigError(`API_KEYS_FILE ${settings.keysFile}: cannot read: ${(error as Error).message}`);
    }
    records.push(...parseKeyFile(text, settings.keysFile));
  }
  if (settings.keysList) records.push(...parseKeyList(settings.keysList));
  return records;
}

export interface KeyStoreSummary {
  store: ApiKeyStore;
  /** Keys from configuration. */
  configured: number;
  /** Whether Redis is asked too. */
  redis: boolean;
}

/**
 * Configured keys first, then the Redis hash `llm:apikeys` when a Redis connection is given (the
 * backend's, handed over by the composition root).
 */
export function apiKeyStore(settings: ApiKeySettings, redis?: Redis): KeyStoreSummary {
  const records = configuredKeyRecords(settings);
  const stores: ApiKeyStore[] = [new StaticKeyStore(records)];
  if (redis) stores.push(new RedisKeyStore(redis));
  return { store: new ChainedKeyStore(stores), configured: records.length, redis: Boolean(redis) };
}
