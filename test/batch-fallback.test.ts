// Batch items that come back without an answer: lines the provider refused and a batch that expired.
// Each such request still completes, by an ordinary call to the same model (the default policy) or
// to the chain's next model (`onItemFailure: 'next-model'`); the ledger holds exactly the calls that
// were answered, so nothing is lost and nothing is billed twice.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type BatchSettings, DEFAULT_BATCH_SETTINGS } from '../common/batches.js';
import { costUsd } from '../common/catalog.js';
import { BatchItemFailedError } from '../common/errors.js';
import type { LlmRequest, LlmResult } from '../common/request.js';
import { loadModelCatalog } from '../config/load.js';
import { type Backend, createBackend } from '../core/backend.js';
import { type Harness, requestId, startHarness } from './support/harness.js';

const catalog = loadModelCatalog();
const PER_BATCH = 10;
const REFUSED = 'REFUSE-THIS-LINE';

/** Exactly PER_BATCH items make a batch; the age threshold never cuts one early; polls are quick. */
function settings(onItemFailure: BatchSettings['onItemFailure']): BatchSettings {
  return {
    ...DEFAULT_BATCH_SETTINGS,
    maxItems: PER_BATCH,
    maxWaitMs: 10 * 60_000,
    pollInitialMs: 200,
    pollMaxMs: 1000,
    onItemFailure,
  };
}

function ask(model: string, n: number, extra: Partial<LlmRequest> = {}): LlmRequest {
  return {
    requestId: requestId(`batch-fb-${n}`),
    taskType: 'general_qa',
    templateId: 'chat',
    variables: {},
    model,
    fallbackModels: [],
    cache: 'off',
    urgency: 'batch',
    messages: [{ role: 'user', content: `Question ${n} for ${model}${n % 3 === 0 ? ` ${REFUSED}` : ''}?` }],
    ...extra,
  };
}

/** The request's ledger entries equal its result: one call per answered attempt, same tokens and dollars. */
async function assertLedgerMatches(backend: Backend, request: LlmRequest, result: LlmResult): Promise<void> {
  const ledger = await backend.costControls.usage.requestTotals(request.requestId);
  const answered = result.attempts.filter((a) => a.outcome === 'success');
  assert.equal(ledger?.calls, answered.length, `${request.requestId}: one ledger entry per answered call`);
  assert.equal(ledger?.inputTokens, result.usage.inputTokens);
  assert.equal(ledger?.outputTokens, result.usage.outputTokens);
  assert.equal(ledger?.costUsd, result.costUsd);
}

describe('batch items without an answer fall back to an ordinary call', () => {
  let h: Harness;
  let backend: Backend;
  before(async () => {
    h = await startHarness({ worker: false });
    backend = createBackend({ limits: { providers: {}, models: {} } });
    await h.startWorker({
      costControls: backend.costControls,
      settings: { batches: settings('same-model') },
    });
    h.emulator.setBatchControls({
      processingMs: 300,
      failLinesContaining: [REFUSED],
      expireModels: ['claude-haiku-4-5'],
    });
  });
  after(async () => {
    await h?.stop();
    await backend?.close();
  });

  it('refused lines and an expired batch: every request completes, each call billed once', async () => {
    const requests = ['gpt-4o-mini', 'claude-haiku-4-5'].flatMap((model) =>
      Array.from({ length: PER_BATCH }, (_, n) => ask(model, n)),
    );
    const results = await Promise.all(requests.map((r) => h.client.process(r)));

    const batches = h.emulator.batches();
    assert.deepEqual(batches.map((b) => [b.provider, b.lines, b.ending]).sort(), [
      ['anthropic', PER_BATCH, 'expired'],
      ['openai', PER_BATCH, 'completed'],
    ]);
    const refused = requests.filter((r) => r.model === 'gpt-4o-mini' && JSON.stringify(r).includes(REFUSED));
    assert.equal(refused.length, 4);
    // Answered batch lines, plus one ordinary call per refused line and per expired item.
    assert.equal(h.emulator.calls().length, PER_BATCH - refused.length + refused.length + PER_BATCH);

    for (const [index, result] of results.entries()) {
      const request = requests[index] as LlmRequest;
      const spec = catalog.models[request.model as string];
      assert.ok(spec);
      assert.equal(result.model, request.model, 'the same model answered');
      const fellBack = request.model === 'claude-haiku-4-5' || refused.includes(request);
      if (fellBack) {
        const [batchAttempt, ordinary] = result.attempts;
        assert.equal(result.attempts.length, 2);
        assert.equal(batchAttempt?.outcome, 'failed');
        assert.equal(batchAttempt?.errorType, BatchItemFailedError.type);
        assert.match(
          batchAttempt?.error ?? '',
          request.model === 'claude-haiku-4-5' ? /: expired \(/ : /: errored \(/,
        );
        assert.equal(batchAttempt?.costUsd, undefined, 'an item without an answer costs nothing');
        assert.equal(ordinary?.outcome, 'success');
        assert.equal(ordinary?.usage?.serviceTier, undefined, 'the fallback is an ordinary call');
        assert.equal(result.costUsd, costUsd(spec.pricing, result.usage), 'at the ordinary price');
      } else {
        assert.equal(result.attempts.length, 1);
        assert.equal(result.attempts[0]?.usage?.serviceTier, 'batch');
      }
      await assertLedgerMatches(backend, request, result);
    }
  });
});

describe("onItemFailure 'next-model': a refused line goes to the chain's next model", () => {
  let h: Harness;
  let backend: Backend;
  before(async () => {
    h = await startHarness({ worker: false });
    backend = createBackend({ limits: { providers: {}, models: {} } });
    await h.startWorker({
      costControls: backend.costControls,
      settings: { batches: settings('next-model') },
    });
    h.emulator.setBatchControls({ processingMs: 300, failLinesContaining: [REFUSED] });
  });
  after(async () => {
    await h?.stop();
    await backend?.close();
  });

  it('answers refused items with the fallback model at its ordinary price', async () => {
    const requests = Array.from({ length: PER_BATCH }, (_, n) =>
      ask('gpt-4o-mini', n, { fallbackModels: ['claude-haiku-4-5'] }),
    );
    const results = await Promise.all(requests.map((r) => h.client.process(r)));
    for (const [index, result] of results.entries()) {
      const request = requests[index] as LlmRequest;
      const refused = JSON.stringify(request).includes(REFUSED);
      assert.equal(result.model, refused ? 'claude-haiku-4-5' : 'gpt-4o-mini');
      assert.deepEqual(
        result.attempts.map((a) => [a.model, a.outcome]),
        refused
          ? [
              ['gpt-4o-mini', 'failed'],
              ['claude-haiku-4-5', 'success'],
            ]
          : [['gpt-4o-mini', 'success']],
      );
      await assertLedgerMatches(backend, request, result);
    }
    const ordinary = h.emulator.calls().filter((c) => c.provider === 'anthropic');
    assert.equal(ordinary.length, 4, 'one ordinary call per refused line, to the next model');
  });
});
