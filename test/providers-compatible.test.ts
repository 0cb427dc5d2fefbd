// The provider table and the `openai-compatible` kind without Temporal: catalog entries that name
// their own endpoint (base URL, key variable, headers, query parameters) reach it with the OpenAI
// adapter; each endpoint gets its own client; missing keys and bad entries are typed errors.
// `${VAR}` in the plain strings below is the catalog's reference syntax, not a template literal.
/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: catalog values reference variables this way */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { ModelCatalog, ModelSpec } from '../common/catalog.js';
import { loadModelCatalog } from '../config/load.js';
import { createEmbedder, embeddingSource } from '../core/providers/embeddings.js';
import { providerKindNames } from '../core/providers/kinds.js';
import { ProviderRegistry, providerSettingsFromEnv } from '../core/providers/registry.js';
import type { ProviderRequest } from '../core/providers/types.js';
import {
  type ReplayServer,
  recorded,
  recordedErrors,
  startReplayServer,
} from './fixtures/providers/replayServer.js';

const base = loadModelCatalog().models['gpt-4o-mini'] as ModelSpec;
let azure: ReplayServer;
let local: ReplayServer;

/** An Azure-style deployment and a self-hosted server, as catalog entries. */
function entries(): { azure: ModelSpec; local: ModelSpec } {
  return {
    azure: {
      ...base,
      id: 'gpt-4o-azure',
      provider: 'azure-eastus',
      kind: 'openai-compatible',
      baseURL: `${azure.url}/openai/deployments/my-gpt-4o`,
      apiKeyEnv: 'AZURE_OPENAI_API_KEY',
      headers: { 'api-key': '${AZURE_OPENAI_API_KEY}', 'x-team': 'search-${TEAM}' },
      queryParams: { 'api-version': '2024-10-21' },
      providerModel: 'my-gpt-4o',
    },
    local: {
      ...base,
      id: 'llama-vllm',
      provider: 'vllm',
      kind: 'openai-compatible',
      baseURL: `${local.url}/v1`,
      apiKeyEnv: 'VLLM_API_KEY',
      providerModel: 'meta-llama/Llama-3.1-8B-Instruct',
    },
  };
}

const env = { AZURE_OPENAI_API_KEY: 'azure-secret', TEAM: 'blue', VLLM_API_KEY: 'vllm-secret' };

function ask(model: ModelSpec): ProviderRequest {
  return { model, messages: [{ role: 'user', content: 'Hello?' }], maxOutputTokens: 16 };
}

function catalogOf(...models: ModelSpec[]): ModelCatalog {
  return {
    models: Object.fromEntries(models.map((m) => [m.id, m])),
    defaultModel: models[0]?.id ?? '',
    pricesAsOf: '2025-11-24',
  };
}

async function rejection(call: () => unknown): Promise<ApplicationFailure> {
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof ApplicationFailure, `expected a typed error, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected a typed error');
}

before(async () => {
  azure = await startReplayServer();
  local = await startReplayServer();
});
after(async () => {
  await azure.close();
  await local.close();
});
beforeEach(() => {
  azure.received.length = 0;
  local.received.length = 0;
});

describe('an openai-compatible catalog entry', () => {
  it('calls its own base URL with its key, its headers with variables filled in, its query and its deployment name', async () => {
    const { azure: model } = entries();
    azure.answer(recorded('openai', 'chat-completion'));
    const response = await new ProviderRegistry({ env }).forModel(model).complete(ask(model));
    assert.equal(response.responseId, 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT');
    const [sent] = azure.received;
    assert.ok(sent);
    assert.equal(sent.url, '/openai/deployments/my-gpt-4o/chat/completions?api-version=2024-10-21');
    assert.equal(sent.headers.authorization, 'Bearer azure-secret');
    assert.equal(sent.headers['api-key'], 'azure-secret');
    assert.equal(sent.headers['x-team'], 'search-blue');
    assert.equal(sent.body.model, 'my-gpt-4o');
  });

  it('gets a client per endpoint, and models on one endpoint share one', () => {
    const { azure: a, local: b } = entries();
    const registry = new ProviderRegistry({ env });
    const second = { ...b, id: 'llama-vllm-large', providerModel: 'meta-llama/Llama-3.1-70B-Instruct' };
    assert.notEqual(registry.forModel(a), registry.forModel(b));
    assert.equal(registry.forModel(b), registry.forModel(second));
  });

  it('sends each model to its own endpoint', async () => {
    const { azure: a, local: b } = entries();
    const registry = new ProviderRegistry({ env });
    azure.answer(recorded('openai', 'chat-completion'));
    local.answer(recorded('openai', 'chat-completion-length'));
    await registry.forModel(a).complete(ask(a));
    await registry.forModel(b).complete(ask(b));
    assert.deepEqual(
      azure.received.map((r) => r.body.model),
      ['my-gpt-4o'],
    );
    assert.deepEqual(
      local.received.map((r) => [r.url, r.headers.authorization, r.body.model]),
      [['/v1/chat/completions', 'Bearer vllm-secret', 'meta-llama/Llama-3.1-8B-Instruct']],
    );
  });

  it('names itself and its key variable in the errors its endpoint answers', async () => {
    const { local: model } = entries();
    local.answer(
      recordedErrors('openai')['401 invalid key'] as NonNullable<ReturnType<typeof recordedErrors>[string]>,
    );
    const error = await rejection(() => new ProviderRegistry({ env }).forModel(model).complete(ask(model)));
    assert.equal(error.type, 'AuthenticationError');
    assert.match(error.message, /^vllm llama-vllm answered 401/);
    assert.match(error.message, /\(VLLM_API_KEY\)/);
    assert.deepEqual(error.details?.[0], {
      provider: 'vllm',
      model: 'llama-vllm',
      status: 401,
      providerCode: 'invalid_api_key',
      providerRequestId: 'req_401b6e0c2f9a4d7e8b1c3a5d7f9e0b2c',
    });
  });

  it('says which catalog base URL it could not reach', async () => {
    const closed = await startReplayServer();
    await closed.close();
    const model = { ...entries().local, baseURL: `${closed.url}/v1` };
    const error = await rejection(() => new ProviderRegistry({ env }).forModel(model).complete(ask(model)));
    assert.equal(error.type, 'ProviderUnreachableError');
    assert.ok(
      error.message.includes(`the baseURL of provider vllm in the model catalog (${closed.url}/v1)`),
      error.message,
    );
  });

  it('answers AuthenticationError naming the variable when its key is not set', async () => {
    const { local: model } = entries();
    const error = await rejection(() => new ProviderRegistry({ env: {} }).forModel(model));
    assert.equal(error.type, 'AuthenticationError');
    assert.match(error.message, /no API key for provider "vllm" \(model llama-vllm\): set VLLM_API_KEY/);
  });

  it('answers AuthenticationError naming the variable a header uses when it is not set', async () => {
    const { azure: model } = entries();
    const error = await rejection(() =>
      new ProviderRegistry({ env: { AZURE_OPENAI_API_KEY: 'azure-secret' } }).forModel(model),
    );
    assert.equal(error.type, 'AuthenticationError');
    assert.match(error.message, /set TEAM \(which headers\.x-team of this catalog entry uses\)/);
  });

  it('is listed as configured when its key is set, so it gets its own task queue', () => {
    const { azure: a, local: b } = entries();
    const registry = new ProviderRegistry({ env: { VLLM_API_KEY: 'k' } }, catalogOf(a, b));
    assert.deepEqual(registry.configured(), ['vllm']);
  });
});

describe('the provider table', () => {
  it('has the kinds the catalog may name', () => {
    assert.deepEqual(providerKindNames, ['openai', 'anthropic', 'openai-compatible']);
  });

  it('reads each environment kind its own key and base URL variables', () => {
    const settings = providerSettingsFromEnv({
      OPENAI_API_KEY: 'o',
      OPENAI_BASE_URL: 'http://o.example/v1',
      ANTHROPIC_API_KEY: 'a',
      PROVIDER_TIMEOUT_MS: '5000',
    });
    assert.deepEqual(settings.openai, { apiKey: 'o', baseURL: 'http://o.example/v1' });
    assert.deepEqual(settings.anthropic, { apiKey: 'a' });
    assert.equal(settings.timeoutMs, 5000);
  });

  it('answers AuthenticationError naming the kind variable for a model of a kind without a key', async () => {
    const error = await rejection(() => new ProviderRegistry({}).forModel(base));
    assert.equal(error.type, 'AuthenticationError');
    assert.match(error.message, /no API key for provider "openai" \(model gpt-4o-mini\): set OPENAI_API_KEY/);
  });

  it('refuses a catalog whose entry names a kind the table does not have', () => {
    const model = { ...base, id: 'typo', provider: 'opneai' };
    assert.throws(() => new ProviderRegistry({}, catalogOf(model)), {
      name: 'ConfigError',
      message:
        /model typo: provider kind "opneai" is not in the provider table \(openai, anthropic, openai-compatible\)/,
    });
  });

  it('refuses a compatible entry without its base URL, and an environment kind with one', () => {
    const { local } = entries();
    const { baseURL: _, ...noBase } = local;
    assert.throws(() => new ProviderRegistry({}, catalogOf(noBase)), {
      name: 'ConfigError',
      message: /\/models\/llama-vllm\/baseURL is required for provider kind "openai-compatible"/,
    });
    assert.throws(() => new ProviderRegistry({}, catalogOf({ ...base, baseURL: 'http://x/v1' })), {
      name: 'ConfigError',
      message: /\/models\/gpt-4o-mini\/baseURL: provider kind "openai" takes it from OPENAI_BASE_URL/,
    });
  });
});

describe('the model catalog file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'providers-catalog-'));
  const write = (model: Record<string, unknown>): string => {
    const file = join(dir, `${Object.keys(model).length}-${Math.random().toString(36).slice(2)}.yaml`);
    const { id: _, ...spec } = base;
    writeFileSync(
      file,
      JSON.stringify({ pricesAsOf: '2025-11-24', defaultModel: 'm', models: { m: { ...spec, ...model } } }),
    );
    return file;
  };

  it('loads a compatible entry with its endpoint fields', () => {
    const file = write({
      provider: 'groq',
      kind: 'openai-compatible',
      baseURL: 'https://api.groq.com/openai/v1',
      apiKeyEnv: 'GROQ_API_KEY',
      headers: { 'x-org': '${GROQ_ORG}' },
      queryParams: { 'api-version': '1' },
    });
    const model = loadModelCatalog(file).models.m;
    assert.equal(model?.kind, 'openai-compatible');
    assert.equal(model?.apiKeyEnv, 'GROQ_API_KEY');
    assert.deepEqual(model?.headers, { 'x-org': '${GROQ_ORG}' });
  });

  it('refuses a key pasted where the name of its variable belongs', () => {
    const file = write({ provider: 'groq', kind: 'openai-compatible', apiKeyEnv: 'gsk_live-1234' });
    assert.throws(() => loadModelCatalog(file), {
      name: 'ConfigError',
      message: /\/models\/m\/apiKeyEnv must match/,
    });
  });
});

describe('the embedder from the provider table', () => {
  it('embeds through the first kind with embeddings whose key is set', async () => {
    local.answer(recorded('openai', 'embeddings'));
    const source = embeddingSource({
      anthropic: { apiKey: 'a' },
      openai: { apiKey: 'o', baseURL: `${local.url}/v1` },
    });
    assert.equal(source?.kind, 'openai');
    const embedder = createEmbedder(source ?? assert.fail('no source'), {
      model: 'text-embedding-3-small',
      dimensions: 4,
    });
    const embedding = await embedder.embed('hello');
    assert.equal(embedding.vector.length, 4);
    assert.equal(embedding.tokens, 8);
    assert.ok(
      Math.abs((embedding.vector[1] ?? 0) - -0.009327292) < 1e-6,
      'the base64 vector the API sent, decoded',
    );
    assert.equal(local.received[0]?.url, '/v1/embeddings');
    assert.equal(local.received[0]?.body.dimensions, 4);
  });

  it('has no source without a key for a kind that can embed', () => {
    assert.equal(embeddingSource({ anthropic: { apiKey: 'a' } }), undefined);
  });
});
