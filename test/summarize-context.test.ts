// The summarizeContext workflow end to end: context items in, one summary item out, made by the
// summary route's cheaper model through child llmRequests that each fit its window.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { failureType } from '../common/errors.js';
import type { ContextItem, LlmRequest } from '../common/request.js';
import type { SummarizeContextInput, summarizeContext } from '../workflows/summarizeContext.js';
import { type Harness, requestId, startHarness } from './support/harness.js';

const SUMMARY_WINDOW = 1500;
const CATALOG = `
pricesAsOf: "2025-11-24"
defaultModel: big-model
models:
  big-model:
    provider: openai
    providerModel: big-model
    capabilities: [text_generation]
    contextWindow: 128000
    maxOutputTokens: 4096
    pricing: { inputPerMillion: 2.5, outputPerMillion: 10 }
    typicalLatencyMs: 100
    tokenizer: o200k_base
  cheap-summarizer:
    provider: openai
    providerModel: cheap-summarizer
    capabilities: [text_generation]
    contextWindow: ${SUMMARY_WINDOW}
    maxOutputTokens: 256
    pricing: { inputPerMillion: 0.05, outputPerMillion: 0.2 }
    typicalLatencyMs: 100
    tokenizer: o200k_base
`;
const ROUTING = `
defaultRoute: general_qa
routes:
  general_qa:
    preferredModels: [big-model]
    requiredCapabilities: [text_generation]
    fallbackModels: []
    tokenBudget: 128000
    defaultMaxOutputTokens: 1024
    cacheTtlSeconds: 0
  summarization:
    preferredModels: [cheap-summarizer]
    requiredCapabilities: [text_generation]
    fallbackModels: []
    tokenBudget: ${SUMMARY_WINDOW}
    defaultMaxOutputTokens: 200
    cacheTtlSeconds: 0
`;

let h: Harness;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'summarize-context-test-'));
  writeFileSync(join(dir, 'models.yaml'), CATALOG);
  writeFileSync(join(dir, 'routing.yaml'), ROUTING);
  h = await startHarness({
    worker: { catalogFile: join(dir, 'models.yaml'), routingFile: join(dir, 'routing.yaml') },
  });
});
after(async () => {
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function summarize(workflowId: string, input: SummarizeContextInput): Promise<ContextItem> {
  return h.env.client.workflow.execute<typeof summarizeContext>('summarizeContext', {
    workflowId,
    taskQueue: h.taskQueue,
    args: [input],
  });
}

async function startInput(workflowId: string): Promise<LlmRequest> {
  const history = await h.env.client.workflow.getHandle(workflowId).fetchHistory();
  const data = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  assert.ok(data);
  return JSON.parse(Buffer.from(data).toString()) as LlmRequest;
}

const item = (id: string, content: string, relevanceScore: number, timestamp: string): ContextItem => ({
  id,
  content,
  relevanceScore,
  timestamp,
  source: 'docs',
});

describe('summarizeContext', () => {
  it('condenses items into one context item with the cheaper model, keeping their best score and newest time', async () => {
    const id = requestId('summarize-small');
    const items = [
      item('a', 'The service keeps request ids for 30 days.', 0.4, '2026-01-01T10:00:00.000Z'),
      item('b', 'Retries back off from 1 s to 30 s.', 0.9, '2026-01-03T10:00:00.000Z'),
      item('c', 'Cache entries expire after one hour.', 0.2, '2026-01-02T10:00:00.000Z'),
    ];
    const started = Date.now();
    const summary = await summarize(id, { items, focus: 'How long are request ids kept?' });
    assert.equal(summary.id, 'summary-of-3-items');
    assert.equal(summary.source, 'summary');
    assert.equal(summary.relevanceScore, 0.9);
    assert.equal(summary.timestamp, '2026-01-03T10:00:00.000Z');
    assert.match(summary.content, /^Emulated reply from cheap-summarizer/);

    const request = await startInput(`${id}/chunk-1`);
    assert.equal(request.templateId, 'summarize_context');
    assert.equal(request.taskType, 'summarization');
    assert.equal(request.variables.focus, 'How long are request ids kept?');
    assert.deepEqual(
      (request.variables.items as { id: string }[]).map((i) => i.id),
      ['a', 'b', 'c'],
    );
    const calls = h.emulator.calls().filter((c) => c.receivedAtMs >= started);
    assert.deepEqual(
      calls.map((c) => c.model),
      ['cheap-summarizer'],
    );
  });

  it('summarises more than one request can hold in chunks, each extending the summary before it', async () => {
    const id = requestId('summarize-large');
    const items = Array.from({ length: 30 }, (_, i) =>
      item(
        `note-${i}`,
        `Note ${i}: the team agreed that milestone ${i} ships after the load test passes, and that the owner reports progress every Friday.`,
        0.5,
        `2026-02-${String((i % 28) + 1).padStart(2, '0')}T00:00:00.000Z`,
      ),
    );
    const big = item(
      'design',
      Array.from({ length: 300 }, (_, i) => `Paragraph ${i} of the design explains one more decision.`).join(
        ' ',
      ),
      0.7,
      '2026-03-01T00:00:00.000Z',
    );
    const started = Date.now();
    const summary = await summarize(id, {
      items: [...items, big],
      summary: { maxOutputTokens: 200 },
      windowShare: 0.6,
    });
    assert.equal(summary.id, 'summary-of-31-items');

    const calls = h.emulator.calls().filter((c) => c.receivedAtMs >= started);
    assert.ok(calls.length >= 3, `${calls.length} summary requests`);
    for (const call of calls) {
      assert.equal(call.model, 'cheap-summarizer');
      assert.ok((call.inputTokens ?? Infinity) < SUMMARY_WINDOW, `prompt of ${call.inputTokens} tokens`);
    }
    // Chunk k+1 extends chunk k's summary; the large item arrives in parts, and nothing is left out.
    let previous = '';
    const seen: string[] = [];
    for (let k = 1; k <= calls.length; k++) {
      const request = await startInput(`${id}/chunk-${k}`);
      assert.equal(request.variables.previous_summary, previous);
      const result = await h.env.client.workflow.getHandle(`${id}/chunk-${k}`).result();
      previous = (result as { text: string }).text.trim();
      seen.push(...(request.variables.items as { id: string; content: string }[]).map((i) => i.id));
    }
    assert.equal(previous, summary.content);
    assert.deepEqual(
      seen.filter((s) => s.startsWith('note-')),
      items.map((i) => i.id),
    );
    assert.ok(
      seen.filter((s) => s.startsWith('design (characters ')).length >= 2,
      'the design item was cut into parts',
    );
  });

  it('fails with InvalidRequestError when there is nothing to summarise', async () => {
    const error = await summarize(requestId('summarize-empty'), { items: [] }).then(
      () => assert.fail('should fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WorkflowFailedError);
    assert.equal(failureType(error), 'InvalidRequestError');
  });
});
