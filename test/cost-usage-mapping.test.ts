// The adapters' usage mapping on the providers' own usage objects: every kind each provider reports
// lands in our TokenUsage (totals with their parts named), and nothing is added when it reports none.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { costUsd } from '../common/catalog.js';
import { addUsage } from '../common/usage.js';
import { loadModelCatalog } from '../config/load.js';
import { anthropicUsage } from '../core/providers/anthropic.js';
import { openAiUsage } from '../core/providers/openai.js';

const catalog = loadModelCatalog();

/** An Anthropic usage object as the Messages API sends it (fields it leaves out are null). */
function anthropic(fields: Partial<Anthropic.Usage>): Anthropic.Usage {
  return {
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: null,
    cache_read_input_tokens: null,
    cache_creation: null,
    server_tool_use: null,
    service_tier: null,
    ...fields,
  } as Anthropic.Usage;
}

describe('Anthropic usage', () => {
  it('adds cache reads and writes to input, naming each, with the 1-hour writes apart', () => {
    const usage = anthropicUsage(
      anthropic({
        input_tokens: 12,
        output_tokens: 40,
        cache_read_input_tokens: 2000,
        cache_creation_input_tokens: 1000,
        cache_creation: { ephemeral_5m_input_tokens: 600, ephemeral_1h_input_tokens: 400 },
        service_tier: 'standard',
      }),
    );
    assert.deepEqual(usage, {
      inputTokens: 3012,
      outputTokens: 40,
      totalTokens: 3052,
      cachedInputTokens: 2000,
      cacheWriteTokens: 1000,
      cacheWrite1hTokens: 400,
    });
    // claude-sonnet-4-6: 12 x $3 + 2,000 x $0.30 + 600 x $3.75 + 400 x $6 + 40 x $15, per million.
    const sonnet = catalog.models['claude-sonnet-4-6']?.pricing;
    assert.ok(sonnet);
    assert.equal(costUsd(sonnet, usage), (12 * 3 + 2000 * 0.3 + 600 * 3.75 + 400 * 6 + 40 * 15) / 1e6);
  });

  it('reads thinking tokens and a batch tier, and reports nothing extra for a plain call', () => {
    const thinking = anthropicUsage(
      anthropic({
        input_tokens: 10,
        output_tokens: 90,
        output_tokens_details: { thinking_tokens: 70 },
        service_tier: 'batch',
      } as Partial<Anthropic.Usage>),
    );
    assert.equal(thinking.reasoningTokens, 70);
    assert.equal(thinking.serviceTier, 'batch');
    assert.deepEqual(anthropicUsage(anthropic({ input_tokens: 10, output_tokens: 5 })), {
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 15,
    });
  });
});

describe('OpenAI usage', () => {
  it('keeps cached tokens inside prompt_tokens and reasoning inside completion_tokens', () => {
    const usage = openAiUsage(
      {
        prompt_tokens: 3000,
        completion_tokens: 500,
        total_tokens: 3500,
        prompt_tokens_details: { cached_tokens: 2048 },
        completion_tokens_details: { reasoning_tokens: 320 },
      } as OpenAI.CompletionUsage,
      'flex',
    );
    assert.deepEqual(usage, {
      inputTokens: 3000,
      outputTokens: 500,
      totalTokens: 3500,
      cachedInputTokens: 2048,
      reasoningTokens: 320,
      serviceTier: 'flex',
    });
    // gpt-5 on flex: 952 x $0.625 + 2,048 x $0.0625 + 500 x $5, per million.
    const gpt5 = catalog.models['gpt-5']?.pricing;
    assert.ok(gpt5);
    assert.equal(costUsd(gpt5, usage), (952 * 0.625 + 2048 * 0.0625 + 500 * 5) / 1e6);
  });

  it('leaves the default tier and absent details out, so old payloads keep their shape', () => {
    assert.deepEqual(openAiUsage({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 }, 'default'), {
      inputTokens: 10,
      outputTokens: 2,
      totalTokens: 12,
    });
    assert.deepEqual(openAiUsage(undefined), { inputTokens: 0, outputTokens: 0, totalTokens: 0 });
  });
});

describe('addUsage', () => {
  it('adds every part and keeps zero parts absent', () => {
    assert.deepEqual(
      addUsage(
        { inputTokens: 10, outputTokens: 1, totalTokens: 11, cacheWriteTokens: 4 },
        { inputTokens: 20, outputTokens: 2, totalTokens: 22, cachedInputTokens: 5, reasoningTokens: 1 },
      ),
      {
        inputTokens: 30,
        outputTokens: 3,
        totalTokens: 33,
        cachedInputTokens: 5,
        cacheWriteTokens: 4,
        reasoningTokens: 1,
      },
    );
  });
});
