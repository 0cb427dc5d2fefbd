// A third provider added by editing the model catalog only, end to end on a real dev server: a
// second emulator at its own base URL is registered as an `openai-compatible` entry under a new
// provider name, a request routed to it gets its answer, and that emulator's call log shows the call.
/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: catalog values reference variables this way */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { LlmRequest } from '../common/request.js';
import { configDir } from '../config/load.js';
import { createEmulator, type Emulator } from '../emulator/server.js';
import { type Harness, requestId, startHarness } from './support/harness.js';

let h: Harness;
let second: Emulator;

/** config/models.yaml plus two entries of a provider the code has never heard of. */
function catalogWithThirdProvider(baseURL: string): string {
  const catalog = parseYaml(readFileSync(join(configDir, 'models.yaml'), 'utf8')) as {
    models: Record<string, Record<string, unknown>>;
  };
  const like = catalog.models['gpt-4o-mini'];
  catalog.models['lab-chat'] = {
    ...like,
    provider: 'second-lab',
    kind: 'openai-compatible',
    baseURL,
    apiKeyEnv: 'SECOND_LAB_API_KEY',
    headers: { 'x-lab-tenant': '${SECOND_LAB_TENANT}' },
    providerModel: 'lab-model-7b',
  };
  // Same kind, a key variable nobody set: its requests fall back to the next model.
  catalog.models['lab-unkeyed'] = {
    ...catalog.models['lab-chat'],
    provider: 'third-lab',
    apiKeyEnv: 'THIRD_LAB_API_KEY',
    headers: {},
  };
  const file = join(mkdtempSync(join(tmpdir(), 'third-provider-')), 'models.yaml');
  writeFileSync(file, JSON.stringify(catalog));
  return file;
}

before(async () => {
  second = await createEmulator();
  h = await startHarness({ worker: false });
  await h.startWorker({
    catalogFile: catalogWithThirdProvider(second.openaiBaseURL),
    providers: {
      openai: { apiKey: 'test-openai-key', baseURL: h.emulator.openaiBaseURL },
      anthropic: { apiKey: 'test-anthropic-key', baseURL: h.emulator.url },
      env: { SECOND_LAB_API_KEY: 'second-lab-key', SECOND_LAB_TENANT: 'tenant-1' },
    },
  });
});
after(async () => {
  await h?.stop();
  await second?.close();
});

function qa(label: string, model: string, extra: Partial<LlmRequest> = {}): LlmRequest {
  return {
    requestId: requestId(label),
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question: `What is a durable workflow? (${label})` },
    model,
    ...extra,
  };
}

describe('a provider added by a catalog entry only', () => {
  it('answers through its own base URL under its own name, and its emulator logged the call', async () => {
    const result = await h.client.process(qa('third-provider', 'lab-chat'));
    assert.equal(result.model, 'lab-chat');
    assert.equal(result.provider, 'second-lab');
    assert.match(result.text, /Emulated reply from lab-model-7b/);
    assert.deepEqual(
      result.attempts.map((a) => [a.model, a.provider, a.outcome]),
      [['lab-chat', 'second-lab', 'success']],
    );

    const response = await fetch(`${second.url}/_emulator/calls`);
    const calls = (await response.json()) as { model: string; path: string; status: number }[];
    assert.deepEqual(
      calls.map((c) => [c.path, c.model, c.status]),
      [['/v1/chat/completions', 'lab-model-7b', 200]],
    );
    assert.equal(
      h.emulator.calls().filter((c) => c.model === 'lab-model-7b').length,
      0,
      'the first emulator never saw it',
    );
  });

  it('falls back to the next model with AuthenticationError naming the key variable when it is not set', async () => {
    const result = await h.client.process(
      qa('third-unkeyed', 'lab-unkeyed', { fallbackModels: ['gpt-4o-mini'] }),
    );
    assert.equal(result.model, 'gpt-4o-mini');
    const [failed, answered] = result.attempts;
    assert.equal(failed?.model, 'lab-unkeyed');
    assert.equal(failed?.provider, 'third-lab');
    assert.equal(failed?.errorType, 'AuthenticationError');
    assert.match(failed?.error ?? '', /THIRD_LAB_API_KEY/);
    assert.equal(answered?.outcome, 'success');
  });
});
