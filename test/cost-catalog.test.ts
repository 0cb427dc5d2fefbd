// The catalog's prices as data, and the one function that sums them: each kind of token at its own
// rate (with the documented defaults), long-context and service tiers, the rounding rule, the
// catalog file's prices for Anthropic's cache writes, and budgets reserving with the same prices.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { costBreakdown, costUnits, costUsd, type ModelPricing } from '../common/catalog.js';
import { sumUsd } from '../common/usage.js';
import { loadModelCatalog, loadRoutingTable } from '../config/load.js';
import { selectModels } from '../core/routing/select.js';

const catalog = loadModelCatalog();
const pricingOf = (model: string): ModelPricing => {
  const spec = catalog.models[model];
  assert.ok(spec, model);
  return spec.pricing;
};

describe('costUsd', () => {
  it('prices a Claude call with cache writes at 1.25 x (5 min) and 2 x (1 h) and reads at 0.1 x', () => {
    const sonnet = pricingOf('claude-sonnet-4-6');
    // $3 input, $15 output: the catalog's writes and reads are Anthropic's multiples of the input price.
    assert.deepEqual(
      [sonnet.cachedInputPerMillion, sonnet.cacheWrite5mPerMillion, sonnet.cacheWrite1hPerMillion],
      [0.3, 3.75, 6],
    );
    const usage = {
      inputTokens: 100 + 1000 + 2000,
      outputTokens: 50,
      totalTokens: 3150,
      cacheWriteTokens: 1000,
      cachedInputTokens: 2000,
    };
    // 100 x $3 + 1,000 x $3.75 + 2,000 x $0.30 + 50 x $15, per million: $0.0054.
    assert.equal(costUsd(sonnet, usage), (100 * 3 + 1000 * 3.75 + 2000 * 0.3 + 50 * 15) / 1e6);
    assert.equal(costUsd(sonnet, usage), 0.0054);
    // The same writes for an hour: 1,000 x $6 instead of $3.75.
    assert.equal(costUsd(sonnet, { ...usage, cacheWrite1hTokens: 1000 }), 0.00765);
    // What the adapter used to bill (writes at the input rate): $0.00075 too little per 1,000 writes.
    assert.equal(costUsd({ ...sonnet, cacheWrite5mPerMillion: 3 }, usage), 0.00465);
  });

  it('prices OpenAI cached input at the model’s cached rate, and writes as ordinary input', () => {
    const mini = pricingOf('gpt-4o-mini');
    const usage = { inputTokens: 3000, outputTokens: 40, totalTokens: 3040, cachedInputTokens: 2000 };
    // 1,000 x $0.15 + 2,000 x $0.075 + 40 x $0.60, per million.
    assert.equal(costUsd(mini, usage), 0.000324);
    assert.equal(costUnits(pricingOf('gpt-5'), usage), 1000 * 125 + 2000 * 12.5 + 40 * 1000);
  });

  it('defaults each rate to the one that bills the same tokens, so a plain entry stays right', () => {
    const plain: ModelPricing = { inputPerMillion: 2, outputPerMillion: 8 };
    const usage = {
      inputTokens: 1000,
      outputTokens: 100,
      cachedInputTokens: 300,
      cacheWriteTokens: 200,
      cacheWrite1hTokens: 50,
      reasoningTokens: 60,
      imageInputTokens: 100,
    };
    assert.equal(costUsd(plain, usage), (1000 * 2 + 100 * 8) / 1e6);
    // A 1-hour write defaults to the 5-minute rate; reasoning to output; images to input.
    assert.deepEqual(
      costBreakdown({ ...plain, cacheWrite5mPerMillion: 2.5, reasoningPerMillion: 10 }, usage),
      {
        input: 400 * 200,
        cachedInput: 300 * 200,
        cacheWrite5m: 150 * 250,
        cacheWrite1h: 50 * 250,
        imageInput: 100 * 200,
        output: 40 * 800,
        reasoning: 60 * 1000,
      },
    );
  });

  it('bills a long prompt at its tier’s rates and a service tier at its own', () => {
    const sonnet = pricingOf('claude-sonnet-4-6');
    const short = { inputTokens: 200_000, outputTokens: 1000 };
    const long = { inputTokens: 200_001, outputTokens: 1000 };
    assert.equal(costUsd(sonnet, short), (200_000 * 3 + 1000 * 15) / 1e6);
    assert.equal(costUsd(sonnet, long), (200_001 * 6 + 1000 * 22.5) / 1e6);
    const gpt5 = pricingOf('gpt-5');
    const usage = { inputTokens: 10_000, outputTokens: 2000, cachedInputTokens: 4000 };
    assert.equal(
      costUsd(gpt5, { ...usage, serviceTier: 'flex' }),
      (6000 * 0.625 + 4000 * 0.0625 + 2000 * 5) / 1e6,
    );
    assert.equal(
      costUsd(gpt5, { ...usage, serviceTier: 'priority' }),
      (6000 * 2.5 + 4000 * 0.25 + 2000 * 20) / 1e6,
    );
    // A tier the catalog does not price (OpenAI's `scale`) bills at the base rates.
    assert.equal(costUsd(gpt5, { ...usage, serviceTier: 'scale' }), costUsd(gpt5, usage));
  });

  it('rounds each kind half up to 1e-8 dollars, so calls and their kinds add up exactly', () => {
    const mini = pricingOf('gpt-4o-mini');
    // One token at $0.075 per million is 7.5 units: rounded up to 8, once, for that kind.
    assert.deepEqual(
      costBreakdown(mini, { inputTokens: 1, outputTokens: 0, cachedInputTokens: 1 }).cachedInput,
      8,
    );
    const costs = Array.from({ length: 1000 }, (_, i) =>
      costUsd(mini, { inputTokens: 17 + i, outputTokens: 3 }),
    );
    const units = Array.from({ length: 1000 }, (_, i) =>
      costUnits(mini, { inputTokens: 17 + i, outputTokens: 3 }),
    );
    assert.equal(sumUsd(costs), units.reduce((a, b) => a + b, 0) / 1e8);
    // Where a float sum drifts (ten calls of $0.10 make $0.9999999999999999), units do not.
    assert.notEqual(
      Array.from({ length: 10 }, () => 0.1).reduce((a, b) => a + b, 0),
      1,
    );
    assert.equal(sumUsd(Array.from({ length: 10 }, () => 0.1)), 1);
  });

  it('rejects a pricing field the schema does not know, naming it', () => {
    const file = join(tmpdir(), `models-${process.pid}.yaml`);
    writeFileSync(
      file,
      'pricesAsOf: "2025-11-24"\ndefaultModel: m\nmodels:\n  m:\n    provider: openai\n    providerModel: m\n    capabilities: []\n    contextWindow: 1000\n    maxOutputTokens: 100\n    pricing: { inputPerMillion: 1, outputPerMillion: 2, cacheWritePerMillion: 3 }\n    typicalLatencyMs: 1\n    tokenizer: o200k_base\n',
    );
    assert.throws(() => loadModelCatalog(file), /\/models\/m\/pricing must NOT have additional properties/);
  });

  it('prices every embedding model the semantic cache may use', () => {
    assert.equal(catalog.embeddingModels?.['text-embedding-3-small']?.pricing.inputPerMillion, 0.02);
  });
});

describe('budget reservations', () => {
  it('estimate with the same prices as the settlement, long-context tier included', () => {
    const sonnet = catalog.models['claude-sonnet-4-6'];
    assert.ok(sonnet);
    const wide = { ...sonnet, id: 'sonnet-1m', contextWindow: 1_000_000 };
    const route = loadRoutingTable(catalog).routes.general_qa;
    assert.ok(route);
    const selection = selectModels({
      catalog: { ...catalog, models: { ...catalog.models, [wide.id]: wide } },
      route,
      criteria: {
        taskType: 'general_qa',
        preferredModel: wide.id,
        fallbackModels: [],
        requiredCapabilities: [],
      },
      promptTokens: () => 300_000,
      maxOutputTokens: 1000,
      unavailable: () => undefined,
      latencyMs: (model) => model.typicalLatencyMs,
    });
    assert.equal(selection.models[0]?.model.id, wide.id);
    assert.equal(
      selection.models[0]?.estimatedCostUsd,
      costUsd(wide.pricing, { inputTokens: 300_000, outputTokens: 1000 }),
    );
    assert.equal(selection.models[0]?.estimatedCostUsd, (300_000 * 6 + 1000 * 22.5) / 1e6);
  });
});
