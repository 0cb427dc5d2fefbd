// How a conversation decides what to fold and how summaries are chunked, with the real templates,
// the real tokenizer and a catalog of small windows: every prompt it plans fits its model.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ActivityDeps, defaultSettings } from '../activities/deps.js';
import {
  type ChunkPiece,
  type ConversationTurn,
  chunkItems,
  type SummaryItem,
  summaryRequest,
  turnAsSummaryItem,
  turnVariables,
} from '../common/conversation.js';
import { failureType } from '../common/errors.js';
import { loadModelCatalog, loadRoutingTable } from '../config/load.js';
import { tokenCounter } from '../core/context/tokens.js';
import { fitConversation } from '../core/conversation/fit.js';
import { planSummaryChunks } from '../core/conversation/summaryPlan.js';
import { InProcessHealthStore } from '../core/health/circuit.js';
import { ProviderRegistry } from '../core/providers/registry.js';
import { loadTemplateRegistry } from '../core/templates/index.js';
import { templatesDir } from '../workers/config.js';

const model = (id: string, window: number, maxOutput: number): string => `
  ${id}:
    provider: openai
    providerModel: ${id}
    capabilities: [text_generation]
    contextWindow: ${window}
    maxOutputTokens: ${maxOutput}
    pricing: { inputPerMillion: 0.1, outputPerMillion: 0.4 }
    typicalLatencyMs: 100
    tokenizer: o200k_base`;
const CATALOG = `pricesAsOf: "2025-11-24"
defaultModel: conv-small
models:${model('conv-small', 4000, 1024)}${model('conv-large', 16000, 1024)}${model('conv-tiny-summarizer', 1500, 256)}
`;
const route = (models: string, budget: number): string => `
    preferredModels: [${models}]
    requiredCapabilities: [text_generation]
    fallbackModels: []
    tokenBudget: ${budget}
    defaultMaxOutputTokens: 256
    cacheTtlSeconds: 0`;
const ROUTING = `defaultRoute: conversation
routes:
  conversation:${route('conv-small', 16000)}
  summarization:${route('conv-tiny-summarizer', 16000)}
`;

const counter = tokenCounter('o200k_base');
let deps: ActivityDeps;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'conversation-fit-'));
  writeFileSync(join(dir, 'models.yaml'), CATALOG);
  writeFileSync(join(dir, 'routing.yaml'), ROUTING);
  const catalog = loadModelCatalog(join(dir, 'models.yaml'));
  const routing = loadRoutingTable(catalog, join(dir, 'routing.yaml'));
  deps = {
    templates: await loadTemplateRegistry(templatesDir(), { countTokens: (t) => counter.count(t) }),
    catalog: () => catalog,
    routing: () => routing,
    providers: new ProviderRegistry({}),
    health: new InProcessHealthStore(),
    settings: defaultSettings,
  };
});
after(() => rmSync(dir, { recursive: true, force: true }));

function turns(count: number, from = 1): ConversationTurn[] {
  return Array.from({ length: count }, (_, i) => ({
    n: from + i,
    user: `Message ${from + i}: what should we plant along the south fence this spring, and when?`,
    assistant: `Reply ${from + i}: tomatoes in late April, basil beside them, and marigolds to keep the pests away.`,
    model: 'conv-small',
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    costUsd: 0,
    at: '2026-01-01T00:00:00.000Z',
  }));
}

/** A text of about `tokens` o200k tokens. */
const textOf = (tokens: number): string => 'word '.repeat(tokens).trim();

/** Tokens of a turn's prompt as llmRequest will render it. */
function turnPromptTokens(input: {
  summary: string;
  summarizedTurns: number;
  kept: ConversationTurn[];
  message: string;
}): number {
  const rendered = deps.templates.render({
    requestId: 'r',
    templateId: 'conversation',
    variables: turnVariables({ ...input, turns: input.kept }),
  });
  return counter.countMessages(rendered.messages);
}

/** conv-small: (4000 - 256 reserved) * 0.9. */
const SMALL_LIMIT = Math.floor((4000 - 256) * 0.9);

describe('fitConversation', () => {
  it('folds nothing while the summary, the recent turns and the message fit', () => {
    const fit = fitConversation(deps, {
      requestId: 'c/turn-6',
      options: {},
      summary: '',
      summarizedTurns: 0,
      turns: turns(5),
      message: 'And the herbs?',
    });
    assert.equal(fit.fold, 0);
    assert.deepEqual(fit.chunks, []);
    assert.equal(fit.model, 'conv-small');
    assert.equal(fit.limitTokens, SMALL_LIMIT);
    assert.ok(fit.promptTokens > 5 * 40 && fit.promptTokens < SMALL_LIMIT);
  });

  it('folds the oldest turns once they would overflow, leaving room for a full-size summary and more turns', () => {
    const history = turns(100);
    const message = 'And the herbs?';
    const full = turnPromptTokens({ summary: '', summarizedTurns: 0, kept: history, message });
    assert.ok(
      full > SMALL_LIMIT,
      `the unfolded prompt (${full}) must overflow for this test to mean anything`,
    );
    const fit = fitConversation(deps, {
      requestId: 'c/turn-101',
      options: { maxRecentTurns: 200, summary: { maxOutputTokens: 400 } },
      summary: '',
      summarizedTurns: 0,
      turns: history,
      message,
    });
    assert.ok(fit.fold > 0 && fit.fold < 100, `fold ${fit.fold}`);
    // After the fold, even a summary of the maximum length leaves the prompt inside the limit...
    const kept = history.slice(fit.fold);
    const after = turnPromptTokens({ summary: textOf(400), summarizedTurns: fit.fold, kept, message });
    assert.ok(after <= SMALL_LIMIT, `prompt after folding: ${after} of ${SMALL_LIMIT}`);
    // ...with room to spare, so the next turns do not fold again at once.
    const next = fitConversation(deps, {
      requestId: 'c/turn-102',
      options: { maxRecentTurns: 200, summary: { maxOutputTokens: 400 } },
      summary: textOf(300),
      summarizedTurns: fit.fold,
      turns: [...kept, ...turns(1, 101)],
      message,
    });
    assert.equal(next.fold, 0);
    // The folded turns are planned as summary chunks, in order, covering each turn once.
    const pieces = fit.chunks.flat();
    assert.deepEqual(
      pieces.map((p) => p.index),
      Array.from({ length: fit.fold }, (_, i) => i),
    );
  });

  it('folds to half of maxRecentTurns once that many turns are kept', () => {
    const fit = fitConversation(deps, {
      requestId: 'c/turn-11',
      options: { maxRecentTurns: 10 },
      summary: '',
      summarizedTurns: 0,
      turns: turns(10),
      message: 'Next?',
    });
    assert.equal(fit.fold, 5);
    const fewer = fitConversation(deps, {
      requestId: 'c/turn-10',
      options: { maxRecentTurns: 10 },
      summary: '',
      summarizedTurns: 0,
      turns: turns(9),
      message: 'Next?',
    });
    assert.equal(fewer.fold, 0);
  });

  it('fits the smallest window among the models a turn may go to', () => {
    const fit = fitConversation(deps, {
      requestId: 'c/turn-1',
      options: { model: 'conv-large', fallbackModels: ['conv-small'] },
      summary: '',
      summarizedTurns: 0,
      turns: [],
      message: 'Hello',
    });
    assert.equal(fit.model, 'conv-small');
    assert.equal(fit.limitTokens, SMALL_LIMIT);
  });

  it('refuses a message that cannot fit the window with InvalidRequestError', () => {
    try {
      fitConversation(deps, {
        requestId: 'c/turn-1',
        options: {},
        summary: '',
        summarizedTurns: 0,
        turns: turns(3),
        message: textOf(5000),
      });
      assert.fail('should refuse');
    } catch (error) {
      assert.equal(failureType(error), 'InvalidRequestError');
      assert.match((error as Error).message, /too long.*conv-small allows/);
    }
  });
});

describe('planSummaryChunks', () => {
  const options = { maxOutputTokens: 200 };
  /** conv-tiny-summarizer: (1500 - 200 reserved) * 0.9. */
  const SUMMARY_LIMIT = Math.floor((1500 - 200) * 0.9);

  function promptTokens(items: SummaryItem[], previousSummary: string): number {
    const request = summaryRequest({ requestId: 's', items, previousSummary, options });
    const rendered = deps.templates.render({
      requestId: 's',
      templateId: 'summarize_context',
      variables: request.variables,
    });
    return counter.countMessages(rendered.messages);
  }

  /** Every chunk's prompt fits, with the given summary before the first and a full-size one before the rest. */
  function assertChunksFit(items: SummaryItem[], chunks: ChunkPiece[][], previousSummary: string): void {
    chunks.forEach((chunk, k) => {
      const tokens = promptTokens(chunkItems(items, chunk), k === 0 ? previousSummary : textOf(200));
      assert.ok(tokens <= SUMMARY_LIMIT, `chunk ${k + 1}: ${tokens} of ${SUMMARY_LIMIT} tokens`);
    });
  }

  it('puts material that fits one request in one chunk', () => {
    const items = turns(3).map(turnAsSummaryItem);
    const plan = planSummaryChunks(deps, { requestId: 's', items, previousSummary: '', options });
    assert.equal(plan.chunks.length, 1);
    assert.equal(plan.model, 'conv-tiny-summarizer');
    assert.equal(plan.limitTokens, SUMMARY_LIMIT);
  });

  it('splits more material than one request holds into chunks that each fit, in order', () => {
    const items = turns(40).map(turnAsSummaryItem);
    const previousSummary = textOf(150);
    const plan = planSummaryChunks(deps, { requestId: 's', items, previousSummary, options });
    assert.ok(plan.chunks.length >= 3, `${plan.chunks.length} chunks`);
    assert.deepEqual(
      plan.chunks.flat().map((p) => [p.index, p.from, p.to]),
      items.map((item, index) => [index, 0, item.content.length]),
    );
    assertChunksFit(items, plan.chunks, previousSummary);
  });

  it('cuts an item larger than a whole request into parts at spaces, covering it exactly', () => {
    const big: SummaryItem = {
      id: 'design-doc',
      source: 'docs',
      content: Array.from({ length: 400 }, (_, i) => `Sentence ${i} of the design document.`).join(' '),
    };
    const items = [turnAsSummaryItem(turns(1)[0] as ConversationTurn), big];
    const plan = planSummaryChunks(deps, { requestId: 's', items, previousSummary: '', options });
    const parts = plan.chunks.flat().filter((p) => p.index === 1);
    assert.ok(parts.length >= 3, `${parts.length} parts`);
    assert.equal(parts.map((p) => big.content.slice(p.from, p.to)).join(''), big.content);
    for (const part of parts.slice(1)) assert.equal(big.content[part.from - 1], ' ', 'cut after a space');
    assert.match(
      chunkItems(items, [parts[0] as ChunkPiece])[0]?.id ?? '',
      /^design-doc \(characters 0-\d+\)$/,
    );
    assertChunksFit(items, plan.chunks, '');
  });

  it('refuses when the summary model leaves no room for material', () => {
    try {
      planSummaryChunks(deps, {
        requestId: 's',
        items: turns(1).map(turnAsSummaryItem),
        previousSummary: '',
        options: { maxOutputTokens: 1400 },
      });
      assert.fail('should refuse');
    } catch (error) {
      assert.equal(failureType(error), 'InvalidRequestError');
      assert.match((error as Error).message, /conv-tiny-summarizer/);
    }
  });
});
