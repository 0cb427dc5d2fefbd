// Cost exact to the token, end to end: the emulator reports cache reads, cache writes and reasoning
// tokens the way each provider does; a request's result, the usage ledger and the budget agree with
// the catalog's prices and with what the emulator reported, to the token and to 1e-8 dollars, semantic
// cache embeddings included.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COST_KINDS, costUnits, type ModelPricing, type PricedUsage } from '../common/catalog.js';
import type { LlmRequest, LlmResult, TokenUsage } from '../common/request.js';
import { loadModelCatalog } from '../config/load.js';
import { type Backend, type CostControls, createBackend } from '../core/backend.js';
import { loadCacheConfig } from '../core/cache/config.js';
import { createEmbedder } from '../core/providers/embeddings.js';
import type { UsageTotals } from '../core/usage/types.js';
import type { CallRecord } from '../emulator/callLog.js';
import { type Harness, requestId, startHarness } from './support/harness.js';

const catalog = loadModelCatalog();
/** Dollars as the ledger keeps them: integer units of 1e-8. */
const units = (usd: number): number => Math.round(usd * 1e8);

let h: Harness;
let backend: Backend;
let controls: CostControls;
before(async () => {
  h = await startHarness({ worker: false });
  const cache = { ...loadCacheConfig(), semantic: { general_qa: { threshold: 0.85, maxEntries: 1000 } } };
  backend = createBackend({
    embedder: createEmbedder(
      { kind: 'openai', apiKey: 'test-openai-key', baseURL: h.emulator.openaiBaseURL },
      { model: cache.embeddingModel },
    ),
    cache,
    limits: { providers: {}, models: {} },
  });
  controls = backend.costControls;
  await h.startWorker({ costControls: controls });
  h.emulator.setLatency({ fixedMs: 2 });
});
after(async () => {
  await h?.stop();
  await backend?.close();
});

function ask(model: string, question: string, extra: Partial<LlmRequest> = {}): LlmRequest {
  return {
    requestId: requestId('cost'),
    taskType: 'general_qa',
    templateId: 'chat',
    variables: {},
    model,
    fallbackModels: [],
    cache: 'off',
    caller: 'cost-test',
    messages: [{ role: 'user', content: question }],
    ...extra,
  };
}

/** The emulator's answered call for a request: the one provider call whose log carries usage. */
function answeredCalls(): CallRecord[] {
  return h.emulator.calls().filter((c) => c.status === 200 && c.usage);
}

const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const at = (value: unknown, key: string): unknown =>
  value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;

/** What the emulator reported, read the way each provider documents it (not through our adapters). */
function reported(call: CallRecord): PricedUsage & { totalTokens: number } {
  const u = call.usage ?? {};
  if (call.path === '/v1/embeddings') {
    // The call log keeps no usage object for embeddings: prompt_tokens sent is its token count.
    const tokens = num(u.prompt_tokens) || (call.inputTokens ?? 0);
    return { inputTokens: tokens, outputTokens: 0, totalTokens: tokens };
  }
  if (call.path === '/v1/messages') {
    const reads = num(u.cache_read_input_tokens);
    const writes = num(u.cache_creation_input_tokens);
    const input = num(u.input_tokens) + reads + writes;
    return {
      inputTokens: input,
      outputTokens: num(u.output_tokens),
      totalTokens: input + num(u.output_tokens),
      cachedInputTokens: reads,
      cacheWriteTokens: writes,
      cacheWrite1hTokens: num(at(u.cache_creation, 'ephemeral_1h_input_tokens')),
    };
  }
  return {
    inputTokens: num(u.prompt_tokens),
    outputTokens: num(u.completion_tokens),
    totalTokens: num(u.total_tokens),
    cachedInputTokens: num(at(u.prompt_tokens_details, 'cached_tokens')),
    reasoningTokens: num(at(u.completion_tokens_details, 'reasoning_tokens')),
  };
}

function pricingFor(call: CallRecord): ModelPricing {
  const chat = Object.values(catalog.models).find((m) => m.providerModel === call.model);
  const pricing = chat?.pricing ?? catalog.embeddingModels?.[call.model]?.pricing;
  assert.ok(pricing, `a price for ${call.model}`);
  return pricing;
}

/** The ledger's view of a request, in the result's terms. */
function asResult(
  totals: UsageTotals | undefined,
): Omit<Required<TokenUsage>, 'serviceTier'> & { costUnits: number } {
  assert.ok(totals, 'the ledger has the request');
  return {
    inputTokens: totals.inputTokens,
    outputTokens: totals.outputTokens,
    totalTokens: totals.inputTokens + totals.outputTokens,
    cachedInputTokens: totals.cachedInputTokens,
    cacheWriteTokens: totals.cacheWriteTokens,
    cacheWrite1hTokens: totals.cacheWrite1hTokens,
    reasoningTokens: totals.reasoningTokens,
    imageInputTokens: totals.imageInputTokens,
    costUnits: units(totals.costUsd),
  };
}

function resultTotals(result: LlmResult): ReturnType<typeof asResult> {
  const u = result.usage;
  return {
    inputTokens: u.inputTokens,
    outputTokens: u.outputTokens,
    totalTokens: u.totalTokens,
    cachedInputTokens: u.cachedInputTokens ?? 0,
    cacheWriteTokens: u.cacheWriteTokens ?? 0,
    cacheWrite1hTokens: u.cacheWrite1hTokens ?? 0,
    reasoningTokens: u.reasoningTokens ?? 0,
    imageInputTokens: u.imageInputTokens ?? 0,
    costUnits: units(result.costUsd),
  };
}

describe('a request’s cost', () => {
  it('prices a Claude request with 1,000 cache-write and 2,000 cache-read tokens at the catalog’s rates', async () => {
    h.emulator.setUsage({ model: 'claude-sonnet-4-6', cacheWriteTokens: 1000, cacheReadTokens: 2000 });
    const seen = answeredCalls().length;
    const result = await h.client.process(ask('claude-sonnet-4-6', 'What does a prompt cache save?'));
    const [call] = answeredCalls().slice(seen);
    assert.ok(call?.usage);
    const uncached = num(call.usage.input_tokens);
    const output = num(call.usage.output_tokens);
    assert.equal(call.usage.cache_creation_input_tokens, 1000);
    assert.equal(call.usage.cache_read_input_tokens, 2000);
    // claude-sonnet-4-6: $3 input, $3.75 5-minute writes (1.25 x), $0.30 reads (0.1 x), $15 output,
    // per million tokens; in units of 1e-8 dollars per token that is 300, 375, 30 and 1500.
    const expected = uncached * 300 + 1000 * 375 + 2000 * 30 + output * 1500;
    assert.equal(units(result.costUsd), expected);
    assert.equal(result.costUsd, expected / 1e8);
    assert.deepEqual(result.usage, {
      inputTokens: uncached + 3000,
      outputTokens: output,
      totalTokens: uncached + 3000 + output,
      cachedInputTokens: 2000,
      cacheWriteTokens: 1000,
    });
    const ledger = await controls.usage.requestTotals(result.requestId);
    assert.deepEqual(asResult(ledger), resultTotals(result));
    assert.equal(ledger?.costByKind.cacheWrite5m, 0.00375);
    assert.equal(ledger?.costByKind.cachedInput, 0.0006);
  });

  it('prices 1-hour cache writes at 2 x the input rate', async () => {
    h.emulator.setUsage({ model: 'claude-haiku-4-5', cacheWriteTokens: 1000, cacheWriteTtl: '1h' });
    const seen = answeredCalls().length;
    const result = await h.client.process(ask('claude-haiku-4-5', 'How long does a cache entry live?'));
    const [call] = answeredCalls().slice(seen);
    assert.ok(call?.usage);
    // claude-haiku-4-5: $1 input, $2 1-hour writes, $5 output.
    const expected = num(call.usage.input_tokens) * 100 + 1000 * 200 + num(call.usage.output_tokens) * 500;
    assert.equal(units(result.costUsd), expected);
    assert.equal(result.usage.cacheWrite1hTokens, 1000);
  });

  it('prices an OpenAI request’s cached input at the model’s cached rate', async () => {
    h.emulator.setUsage({ model: 'gpt-4o-mini', cacheReadTokens: 2000 });
    const seen = answeredCalls().length;
    const result = await h.client.process(ask('gpt-4o-mini', 'What does a cached prefix cost?'));
    const [call] = answeredCalls().slice(seen);
    assert.ok(call?.usage);
    const prompt = num(call.usage.prompt_tokens);
    const output = num(call.usage.completion_tokens);
    assert.equal(at(call.usage.prompt_tokens_details, 'cached_tokens'), 2000);
    // gpt-4o-mini: $0.15 input, $0.075 cached input (0.5 x), $0.60 output: 15, 7.5 and 60 units a token.
    const expected = (prompt - 2000) * 15 + 2000 * 7.5 + output * 60;
    assert.equal(units(result.costUsd), expected);
    assert.deepEqual(result.usage, {
      inputTokens: prompt,
      outputTokens: output,
      totalTokens: prompt + output,
      cachedInputTokens: 2000,
    });
    assert.deepEqual(asResult(await controls.usage.requestTotals(result.requestId)), resultTotals(result));
  });

  it('carries reasoning tokens and bills them as output', async () => {
    h.emulator.setUsage({ model: 'gpt-5-mini', reasoningTokens: 300 });
    const seen = answeredCalls().length;
    const result = await h.client.process(ask('gpt-5-mini', 'Think first: why are workflows durable?'));
    const [call] = answeredCalls().slice(seen);
    assert.ok(call?.usage);
    assert.equal(result.usage.reasoningTokens, 300);
    // gpt-5-mini: $0.25 input, $2 output (reasoning included).
    const expected = num(call.usage.prompt_tokens) * 25 + num(call.usage.completion_tokens) * 200;
    assert.equal(units(result.costUsd), expected);
  });
});

describe('100 requests with cache tokens, 20 answered by the semantic cache', () => {
  it('ledger = results = the emulator’s reported usage, to the token and to 1e-8 dollars', async () => {
    h.emulator.setUsage({ model: 'claude-haiku-4-5', cacheReadTokens: 1500, cacheWriteTokens: 300 });
    h.emulator.setUsage({ model: 'gpt-4o-mini', cacheReadTokens: 1200 });
    const caller = `hundred-${requestId('c')}`;
    const seen = h.emulator.calls().length;
    const before = await controls.budgets.standing(caller);
    // Words unique to each question keep the 80 apart; a "briefly" variant is close to its original.
    const question = (i: number, suffix = ''): string =>
      `Explain topic${i} with detail${i} and example${i}${suffix}`;
    const model = (i: number): string => (i % 2 ? 'claude-haiku-4-5' : 'gpt-4o-mini');
    const request = (i: number, suffix = ''): LlmRequest =>
      ask(model(i), question(i, suffix), { cache: 'read-write', caller, params: { temperature: 0 } });
    const originals = await Promise.all(Array.from({ length: 80 }, (_, i) => h.client.process(request(i))));
    const similar = await Promise.all(
      Array.from({ length: 20 }, (_, i) => h.client.process(request(i * 4, ' briefly'))),
    );
    const results = [...originals, ...similar];

    assert.equal(originals.filter((r) => r.cached).length, 0, 'the 80 distinct questions all miss');
    assert.deepEqual(
      similar.map((r) => r.cacheHit?.kind),
      Array.from({ length: 20 }, () => 'semantic'),
    );
    // A semantic hit paid for its lookup's embedding: that is its usage and cost.
    for (const hit of similar) {
      assert.ok(hit.usage.inputTokens > 0 && hit.costUsd > 0, 'a hit pays for its embedding');
      assert.equal(hit.usage.outputTokens, 0);
    }

    const calls = h.emulator.calls().slice(seen);
    const answered = calls.filter((c) => c.status === 200);
    assert.equal(answered.length, calls.length, 'every call answered');
    assert.equal(answered.filter((c) => c.path === '/v1/embeddings').length, 100, 'one embedding per lookup');
    assert.equal(answered.filter((c) => c.path !== '/v1/embeddings').length, 80, 'one model call per miss');

    // The emulator's reported usage, priced by the catalog, added up.
    const emulator = { input: 0, output: 0, cachedInput: 0, cacheWrites: 0, costUnits: 0 };
    for (const call of answered) {
      const usage = reported(call);
      emulator.input += usage.inputTokens;
      emulator.output += usage.outputTokens;
      emulator.cachedInput += usage.cachedInputTokens ?? 0;
      emulator.cacheWrites += usage.cacheWriteTokens ?? 0;
      emulator.costUnits += costUnits(pricingFor(call), usage);
    }
    assert.ok(emulator.cachedInput > 0 && emulator.cacheWrites > 0);

    const sum = { input: 0, output: 0, cachedInput: 0, cacheWrites: 0, costUnits: 0 };
    for (const result of results) {
      sum.input += result.usage.inputTokens;
      sum.output += result.usage.outputTokens;
      sum.cachedInput += result.usage.cachedInputTokens ?? 0;
      sum.cacheWrites += result.usage.cacheWriteTokens ?? 0;
      sum.costUnits += units(result.costUsd);
      assert.deepEqual(
        asResult(await controls.usage.requestTotals(result.requestId)),
        resultTotals(result),
        `${result.requestId}: the ledger's entries are the result's usage and cost`,
      );
    }
    const rows = await controls.usage.totals({ by: 'caller' });
    const row = rows.find((r) => r.key === caller);
    assert.ok(row);
    const ledger = {
      input: row.inputTokens,
      output: row.outputTokens,
      cachedInput: row.cachedInputTokens,
      cacheWrites: row.cacheWriteTokens,
      costUnits: units(row.costUsd),
    };
    console.log(
      `100 requests (20 semantic hits): emulator ${JSON.stringify(emulator)}, results ${JSON.stringify(sum)}, ledger ${JSON.stringify(ledger)}`,
    );
    assert.deepEqual(sum, emulator, 'results = the emulator’s reported usage, priced');
    assert.deepEqual(ledger, emulator, 'ledger = the emulator’s reported usage, priced');
    assert.equal(row.calls, 180);
    assert.equal(row.embeddingCalls, 100);
    // The kinds add up to the whole, exactly.
    assert.equal(
      COST_KINDS.reduce((s, k) => s + units(row.costByKind[k]), 0),
      ledger.costUnits,
    );
    // And the caller's budget was charged all of it, embeddings included.
    const after = await controls.budgets.standing(caller);
    const spent = (standing: typeof before): number => units(standing[0]?.spentUsd ?? 0);
    assert.equal(spent(after) - spent(before), emulator.costUnits);
  });
});
