// The conversation tests' world: a catalog and routing table with small windows, so that a long
// conversation must fold, messages on rotating topics, and a harness whose worker uses them.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { ConversationClient } from '../../client/conversation.js';
import type { LlmRequest } from '../../common/request.js';
import { workflowBundle } from '../../workers/worker.js';
import { type Harness, requestId, startHarness } from './harness.js';

/** Small windows so a long conversation must fold; `conv-summarizer` is the cheaper model. */
export const WINDOW = 4000;
const CATALOG = `
pricesAsOf: "2025-11-24"
defaultModel: conv-small
models:
  conv-small:
    provider: openai
    providerModel: conv-small
    capabilities: [text_generation]
    contextWindow: ${WINDOW}
    maxOutputTokens: 1024
    pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6 }
    typicalLatencyMs: 100
    tokenizer: o200k_base
  conv-summarizer:
    provider: openai
    providerModel: conv-summarizer
    capabilities: [text_generation]
    contextWindow: ${WINDOW}
    maxOutputTokens: 512
    pricing: { inputPerMillion: 0.05, outputPerMillion: 0.2 }
    typicalLatencyMs: 100
    tokenizer: o200k_base
`;
const ROUTING = `
defaultRoute: conversation
routes:
  conversation:
    preferredModels: [conv-small]
    requiredCapabilities: [text_generation]
    fallbackModels: []
    tokenBudget: ${WINDOW}
    defaultMaxOutputTokens: 256
    cacheTtlSeconds: 0
  summarization:
    preferredModels: [conv-summarizer]
    requiredCapabilities: [text_generation]
    fallbackModels: []
    tokenBudget: ${WINDOW}
    defaultMaxOutputTokens: 256
    cacheTtlSeconds: 0
`;

/**
 * The emulator counts a token per 4 characters, about 1.3x what o200k_base counts for this English;
 * a prompt share of 0.6 keeps the emulator's count inside the window too (real providers count
 * like our tokenizer, so the default share is 0.9).
 */
export const WINDOW_SHARE = 0.6;

const TOPICS = [
  'the garden plan for the spring, with tomatoes along the south fence and herbs near the kitchen door',
  'the budget for the trip to Lisbon in May, where the hotel costs 140 euros a night for five nights',
  'the reading list for the book club, starting with a long novel about a lighthouse keeper',
  'the training schedule for the half marathon, three short runs and one long run each week',
  'the move to the new flat on the third floor, which needs a van on the morning of the twelfth',
  'the recipe for the lentil soup my grandmother made, with cumin, lemon and far too much garlic',
];

export function message(n: number): string {
  return `Message ${n}: let us talk about ${TOPICS[n % TOPICS.length]}. What would you suggest as the next step for item ${n}?`;
}

/** A harness whose worker runs with the small-window catalog and routing; `stop()` cleans up. */
export async function startConversationHarness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'conversation-test-'));
  const catalogFile = join(dir, 'models.yaml');
  const routingFile = join(dir, 'routing.yaml');
  writeFileSync(catalogFile, CATALOG);
  writeFileSync(routingFile, ROUTING);
  const h = await startHarness({ worker: { catalogFile, routingFile } });
  return {
    ...h,
    stop: async () => {
      await h.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The request a child llmRequest was started with (its first history event's input). */
export async function childRequest(h: Harness, workflowId: string): Promise<LlmRequest> {
  const history = await h.env.client.workflow.getHandle(workflowId).fetchHistory();
  const data = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  assert.ok(data, `${workflowId} has a start event with input`);
  return JSON.parse(Buffer.from(data).toString()) as LlmRequest;
}

export interface LongConversation {
  turns: number;
  /** Turns kept verbatim at most; the rest must be in the summary. */
  maxRecentTurns: number;
  maxTurnsPerRun: number;
  /** Runs (continue-as-new) and folds the conversation must have reached by its end. */
  runs: number;
  minFolds: number;
  /** Whether the prompts must have grown close to the window (only long enough conversations do). */
  fillsWindow: boolean;
}

/**
 * Runs a conversation of `turns` messages and checks everything a long conversation promises:
 * every turn answered in order, every prompt inside the window, old turns folded into a summary by
 * the cheaper model, continue-as-new without losing the transcript, and every run's history
 * replaying against the current code.
 */
export async function checkLongConversation(h: Harness, options: LongConversation): Promise<void> {
  const { turns, maxRecentTurns, maxTurnsPerRun, runs, minFolds, fillsWindow } = options;
  const conversations = new ConversationClient(h.client);
  const id = requestId(`conversation-${turns}-turns`);
  const conversation = await conversations.start({
    conversationId: id,
    windowShare: WINDOW_SHARE,
    maxRecentTurns,
    maxTurnsPerRun,
  });
  const started = Date.now();
  let folds = 0;
  for (let n = 1; n <= turns; n++) {
    const reply = await conversation.sendMessage(message(n));
    assert.equal(reply.turn, n);
    assert.equal(reply.model, 'conv-small');
    assert.match(reply.reply, /^Emulated reply from conv-small/);
    assert.equal(reply.requestId, `${id}/turn-${n}`);
    if (reply.foldedTurns > 0) folds++;
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `${turns} turns in ${seconds.toFixed(1)} s (${(turns / seconds).toFixed(1)} turns/s), ${folds} folds`,
  );

  const transcript = await conversation.transcript();
  assert.equal(transcript.conversationId, id);
  assert.equal(transcript.totalTurns, turns);
  assert.equal(transcript.status, 'active');
  assert.equal(transcript.droppedTurns, 0);
  assert.ok(
    transcript.summarizedTurns >= turns - maxRecentTurns,
    `${transcript.summarizedTurns} turns summarised`,
  );
  assert.equal(
    transcript.summarizedTurns + transcript.turns.length,
    turns,
    'every turn is either summarised or kept',
  );
  assert.deepEqual(
    transcript.turns.map((t) => t.n),
    Array.from({ length: transcript.turns.length }, (_, i) => transcript.summarizedTurns + 1 + i),
  );
  assert.equal(transcript.turns.at(-1)?.user, message(turns));
  assert.match(
    transcript.summary,
    /^Emulated reply from conv-summarizer/,
    'the cheaper model wrote the summary',
  );
  assert.ok(transcript.run >= runs, `continued-as-new every ${maxTurnsPerRun} turns (run ${transcript.run})`);
  assert.ok(folds >= minFolds, `${folds} folds`);
  assert.ok(transcript.costUsd > 0);

  // Every prompt the emulator received, turns and summaries, fitted the window; and the budget was
  // used, not avoided: the largest prompts came close to the share of the window they may fill.
  const calls = h.emulator.calls().filter((c) => c.receivedAtMs >= started);
  const turnCalls = calls.filter((c) => c.model === 'conv-small');
  const summaryCalls = calls.filter((c) => c.model === 'conv-summarizer');
  assert.equal(turnCalls.length, turns);
  assert.ok(summaryCalls.length >= folds);
  for (const call of [...turnCalls, ...summaryCalls]) {
    assert.equal(call.status, 200);
    assert.ok((call.inputTokens ?? Infinity) < WINDOW, `${call.model} prompt of ${call.inputTokens} tokens`);
  }
  const largest = Math.max(...turnCalls.map((c) => c.inputTokens ?? 0));
  console.log(`largest turn prompt: ${largest} emulator tokens of a ${WINDOW}-token window`);
  if (fillsWindow) assert.ok(largest > WINDOW * WINDOW_SHARE * 0.6, `largest turn prompt ${largest} tokens`);

  // The last turn's prompt carried the summary and the recent turns, in order, up to turn 199.
  const last = await childRequest(h, `${id}/turn-${turns}`);
  assert.equal(last.templateId, 'conversation');
  assert.equal(last.variables.message, message(turns));
  assert.match(String(last.variables.summary), /^Emulated reply from conv-summarizer/);
  const sent = last.variables.turns as { user: string }[];
  assert.ok(sent.length > 0);
  assert.equal(sent.at(-1)?.user, message(turns - 1));
  assert.equal(Number(last.variables.summarized_turns) + sent.length, turns - 1);
  // The first summary request read the oldest turns with the summarize_context template.
  const summary = await childRequest(h, `${id}/summary-1`);
  assert.equal(summary.templateId, 'summarize_context');
  assert.equal(summary.taskType, 'summarization');
  const items = summary.variables.items as { id: string; content: string }[];
  assert.equal(items[0]?.id, 'turn-1');
  assert.match(items[0]?.content ?? '', /^User: Message 1:/);

  const final = await conversation.end();
  assert.equal(final.status, 'ended');
  assert.equal(final.totalTurns, turns);
  const result = await conversation.result();
  assert.equal(result.totalTurns, turns);

  // Every run's history replays against the current code: the workflow is deterministic. Each
  // run's start event names the run it continued from.
  const bundle = await workflowBundle();
  let replayed = 0;
  for (let runId: string | undefined = (await conversation.workflow.describe()).runId; runId; replayed++) {
    const history = await h.env.client.workflow.getHandle(id, runId).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, id);
    runId =
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  assert.ok(replayed >= runs, `${replayed} runs replayed`);
}
