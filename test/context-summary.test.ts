// Summarisation when pruning is not enough: the items that do not fit the model's window are
// summarised by a cheaper model in a child workflow and sent as one item instead of being lost.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { ContextItem, LlmRequest } from '../common/request.js';
import { type Harness, requestId, startHarness } from './support/harness.js';
import { names, steps } from './support/history.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.stop();
});

const items: ContextItem[] = Array.from({ length: 40 }, (_, i) => ({
  id: `doc-${i}`,
  content: `Fact ${i}: ${'the quarterly report mentions revenue growth in region '.repeat(80)}`,
  relevanceScore: 1 - i / 40,
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
  source: 'reports',
}));

function ask(label: string, summarizeDropped: boolean): LlmRequest {
  return {
    requestId: requestId(label),
    taskType: 'general_qa',
    templateId: 'general_qa',
    templateVersion: '1.0',
    variables: { question: 'What do the reports say about revenue?' },
    model: 'gpt-4o-mini',
    fallbackModels: [],
    // A small task budget makes most items not fit, so pruning drops them.
    params: { maxOutputTokens: 500 },
    context: items,
    pruning: { strategy: 'relevance', summarizeDropped },
    cache: 'off',
  };
}

async function sentMessages(workflowId: string): Promise<string> {
  const history = await h.env.client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = history.events?.find(
    (e) => e.activityTaskScheduledEventAttributes,
  )?.activityTaskScheduledEventAttributes;
  return Buffer.from(scheduled?.input?.payloads?.[0]?.data ?? []).toString();
}

it('summarises the dropped items in a child workflow and sends the summary as one item', async () => {
  const request = ask('summarize-dropped', true);
  const result = await h.client.process(request);
  assert.equal(result.model, 'gpt-4o-mini');
  // The first model runs in the request's own history (the fast path); the summary is its child.
  const children = names(await steps(h.env.client, request.requestId), 'child');
  assert.deepEqual(children, [`${request.requestId}/1-gpt-4o-mini/summary`]);
  const sent = await sentMessages(request.requestId);
  assert.match(sent, /summary-of-dropped-context/);
  assert.match(sent, /doc-0/, 'the most relevant items are still sent verbatim');
});

it('without the option, dropped items are simply left out', async () => {
  const request = ask('prune-only', false);
  await h.client.process(request);
  assert.deepEqual(names(await steps(h.env.client, request.requestId), 'child'), []);
  assert.doesNotMatch(await sentMessages(request.requestId), /summary-of-dropped-context/);
});
