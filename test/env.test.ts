// The settings loader (config/env.ts): the documented variables become typed settings, an empty
// variable counts as unset, and each bad value is refused with a ConfigError that names it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../common/errors.js';
import {
  DEFAULT_PIPELINE_BLOB_DIR,
  readApiSettings,
  readBackendSettings,
  readMaxRequestBytes,
  readTemporalSettings,
} from '../config/env.js';

function refused(read: () => unknown, variable: string): void {
  assert.throws(read, (error: unknown) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.match(error.message, new RegExp(variable));
    return true;
  });
}

describe('the settings loader', () => {
  it('reads the backend settings, with empty variables as unset', () => {
    assert.deepEqual(readBackendSettings({ REDIS_URL: '' }), {
      streams: {},
      pipelineBlobs: { dir: DEFAULT_PIPELINE_BLOB_DIR },
    });
    assert.deepEqual(
      readBackendSettings({
        REDIS_URL: 'redis://cache:6379',
        LLM_STREAM_MAXLEN: '500',
        LLM_STREAM_TTL_SECONDS: '60',
        PIPELINE_BLOB_DIR: '/var/blobs',
        PIPELINE_BLOB_TTL_SECONDS: '3600',
        CLAIM_CHECK_THRESHOLD_BYTES: '4096',
      }),
      {
        redisUrl: 'redis://cache:6379',
        streams: { maxLength: 500, ttlSeconds: 60 },
        pipelineBlobs: { dir: '/var/blobs', ttlSeconds: 3600 },
        claimCheck: { store: 'redis', dir: '.data/claims', thresholdBytes: 4096 },
      },
    );
  });

  it('refuses each bad value, naming the variable', () => {
    refused(() => readBackendSettings({ LLM_STREAM_MAXLEN: 'lots' }), 'LLM_STREAM_MAXLEN');
    refused(() => readBackendSettings({ LLM_STREAM_TTL_SECONDS: '0' }), 'LLM_STREAM_TTL_SECONDS');
    refused(() => readBackendSettings({ PIPELINE_BLOB_TTL_SECONDS: '-1' }), 'PIPELINE_BLOB_TTL_SECONDS');
    refused(() => readBackendSettings({ CLAIM_CHECK_STORE: 's3' }), 'CLAIM_CHECK_STORE');
    refused(() => readBackendSettings({ CLAIM_CHECK_STORE: 'redis' }), 'REDIS_URL');
    refused(() => readApiSettings({ API_PORT: 'http' }), 'API_PORT');
    refused(() => readMaxRequestBytes({ LLM_MAX_REQUEST_BYTES: '1.5MB' }), 'LLM_MAX_REQUEST_BYTES');
  });

  it('defaults Temporal to a local dev server', () => {
    assert.deepEqual(readTemporalSettings({}), {
      address: 'localhost:7233',
      namespace: 'default',
      taskQueue: 'llm-requests',
    });
    assert.deepEqual(readApiSettings({ API_KEYS: 'k:c' }), {
      port: 8080,
      host: '127.0.0.1',
      keysList: 'k:c',
    });
  });
});
