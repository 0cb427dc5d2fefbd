// Half-price batches end to end: 200 non-urgent requests across two models go through two provider
// batches (OpenAI's Batch API and Anthropic's Message Batches, served by the emulator through the
// official clients); each result's usage and cost equal its ledger entry at the batch price, and the
// saving against the ordinary price is reported.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_BATCH_SETTINGS } from '../common/batches.js';
import { costUsd } from '../common/catalog.js';
import type { LlmRequest } from '../common/request.js';
import { loadModelCatalog } from '../config/load.js';
import { type Backend, createBackend } from '../core/backend.js';
import { collectorStatusQuery } from '../workflows/batchDefinitions.js';
import { type Harness, requestId, startHarness } from './support/harness.js';

const catalog = loadModelCatalog();
const MODELS = ['gpt-4o-mini', 'claude-haiku-4-5'] as const;
const PER_MODEL = 100;

let h: Harness;
let backend: Backend;
before(async () => {
  h = await startHarness({ worker: false });
  backend = createBackend({ limits: { providers: {}, models: {} } });
  // Exactly 100 items fill a batch; the age threshold is far enough never to cut one early.
  await h.startWorker({
    costControls: backend.costControls,
    settings: {
      batches: {
        ...DEFAULT_BATCH_SETTINGS,
        maxItems: PER_MODEL,
        maxWaitMs: 10 * 60_000,
        pollInitialMs: 200,
        pollMaxMs: 1000,
      },
    },
  });
  h.emulator.setBatchControls({ processingMs: 300 });
});
after(async () => {
  await h?.stop();
  await backend?.close();
});

function ask(model: string, n: number): LlmRequest {
  return {
    requestId: requestId(`batch-${n}`),
    taskType: 'general_qa',
    templateId: 'chat',
    variables: {},
    model,
    fallbackModels: [],
    cache: 'off',
    caller: 'batch-test',
    urgency: 'batch',
    messages: [{ role: 'user', content: `Question number ${n} for ${model}?` }],
  };
}

describe("non-urgent requests through the providers' Batch APIs", () => {
  it('completes 200 requests across two models through two provider batches at the batch price', async () => {
    const requests = MODELS.flatMap((model) => Array.from({ length: PER_MODEL }, (_, n) => ask(model, n)));
    const results = await Promise.all(requests.map((r) => h.client.process(r)));

    // Two provider batches, one per model, of 100 lines each, and no ordinary call beside their lines.
    const batches = h.emulator.batches();
    assert.deepEqual(batches.map((b) => [b.provider, b.model, b.lines, b.ending]).sort(), [
      ['anthropic', 'claude-haiku-4-5', PER_MODEL, 'completed'],
      ['openai', 'gpt-4o-mini', PER_MODEL, 'completed'],
    ]);
    assert.equal(h.emulator.calls().length, 2 * PER_MODEL, 'one answered line per request, nothing else');

    let ordinaryUsd = 0;
    let batchUsd = 0;
    for (const [index, result] of results.entries()) {
      const request = requests[index] as LlmRequest;
      const spec = catalog.models[request.model as string];
      assert.ok(spec);
      assert.equal(result.model, request.model);
      assert.equal(result.attempts.length, 1);
      assert.equal(result.attempts[0]?.outcome, 'success');
      // The call was billed at the batch tier (a result's total usage keeps no tier; its attempt does).
      const billed = result.attempts[0]?.usage;
      assert.equal(billed?.serviceTier, 'batch');
      assert.deepEqual({ ...billed, serviceTier: undefined }, { ...result.usage, serviceTier: undefined });
      // The batch price is the catalog's batch tier: half the ordinary price for both models.
      assert.equal(result.costUsd, costUsd(spec.pricing, billed));
      const { serviceTier: _, ...ordinaryUsage } = billed;
      const ordinary = costUsd(spec.pricing, ordinaryUsage);
      assert.ok(Math.abs(result.costUsd - ordinary / 2) < 1e-8, `${result.costUsd} is half of ${ordinary}`);
      // The ledger holds exactly this request's one batch call, at the same tokens and dollars.
      const ledger = await backend.costControls.usage.requestTotals(request.requestId);
      assert.equal(ledger?.calls, 1);
      assert.equal(ledger?.inputTokens, result.usage.inputTokens);
      assert.equal(ledger?.outputTokens, result.usage.outputTokens);
      assert.equal(ledger?.costUsd, result.costUsd);
      ordinaryUsd += ordinary;
      batchUsd += result.costUsd;
    }
    const saved = ordinaryUsd - batchUsd;
    console.log(
      `batch: ${results.length} requests, $${batchUsd.toFixed(6)} at the batch price vs $${ordinaryUsd.toFixed(6)} ordinary: saved $${saved.toFixed(6)} (${((saved / ordinaryUsd) * 100).toFixed(1)}%)`,
    );
    assert.ok(saved > 0);

    // Operators: the collector says what it submitted; the metrics count items and the saving.
    const collector = h.env.client.workflow.getHandle(`batch-collector/${h.taskQueue}/openai/gpt-4o-mini`);
    const status = await collector.query(collectorStatusQuery);
    assert.equal(status.pending, 0);
    assert.equal(status.itemsSubmitted, PER_MODEL);
    assert.equal(status.batchesSubmitted, 1);
    const found = await h.env.client.workflow.count(
      `LlmBatchId = "${batches.find((b) => b.provider === 'openai')?.id}"`,
    );
    assert.equal(
      found.count,
      PER_MODEL + 1,
      'every request and its provider batch workflow carry the batch id',
    );
  });
});
