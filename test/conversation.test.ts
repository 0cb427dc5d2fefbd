// Conversations end to end on the real dev server and the provider emulator: a long conversation
// stays inside a small model window by folding old turns into a summary made by a cheaper model,
// continues-as-new without losing its transcript, and refuses what it cannot do.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { chatCommand } from '../cli/chat.js';
import { ConversationClient, type ConversationHandle } from '../client/conversation.js';
import { failureType } from '../common/errors.js';
import type { LlmRequest } from '../common/request.js';
import { workflowBundle } from '../workers/worker.js';
import { type Harness, requestId, startHarness } from './support/harness.js';

/** Small windows so a long conversation must fold; `conv-summarizer` is the cheaper model. */
const WINDOW = 4000;
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
const WINDOW_SHARE = 0.6;

const TOPICS = [
  'the garden plan for the spring, with tomatoes along the south fence and herbs near the kitchen door',
  'the budget for the trip to Lisbon in May, where the hotel costs 140 euros a night for five nights',
  'the reading list for the book club, starting with a long novel about a lighthouse keeper',
  'the training schedule for the half marathon, three short runs and one long run each week',
  'the move to the new flat on the third floor, which needs a van on the morning of the twelfth',
  'the recipe for the lentil soup my grandmother made, with cumin, lemon and far too much garlic',
];

function message(n: number): string {
  return `Message ${n}: let us talk about ${TOPICS[n % TOPICS.length]}. What would you suggest as the next step for item ${n}?`;
}

let h: Harness;
let conversations: ConversationClient;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'conversation-test-'));
  const catalogFile = join(dir, 'models.yaml');
  const routingFile = join(dir, 'routing.yaml');
  writeFileSync(catalogFile, CATALOG);
  writeFileSync(routingFile, ROUTING);
  h = await startHarness({ worker: { catalogFile, routingFile } });
  conversations = new ConversationClient(h.client);
});
after(async () => {
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function failureOf(call: Promise<unknown>): Promise<{ type: string | undefined; message: string }> {
  try {
    await call;
  } catch (error) {
    return { type: failureType(error), message: (error as Error).message };
  }
  assert.fail('the call should have failed');
}

/** The request a child llmRequest was started with (its first history event's input). */
async function childRequest(workflowId: string): Promise<LlmRequest> {
  const history = await h.env.client.workflow.getHandle(workflowId).fetchHistory();
  const data = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  assert.ok(data, `${workflowId} has a start event with input`);
  return JSON.parse(Buffer.from(data).toString()) as LlmRequest;
}

describe('a long conversation', () => {
  it('runs 200 turns inside a 4000-token window, folding old turns into a summary, across continue-as-new', async () => {
    const id = requestId('long-conversation');
    const conversation = await conversations.start({
      conversationId: id,
      windowShare: WINDOW_SHARE,
      maxRecentTurns: 100,
      maxTurnsPerRun: 50,
    });
    const started = Date.now();
    const turns = 200;
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
      `200 turns in ${seconds.toFixed(1)} s (${(turns / seconds).toFixed(1)} turns/s), ${folds} folds`,
    );

    const transcript = await conversation.transcript();
    assert.equal(transcript.conversationId, id);
    assert.equal(transcript.totalTurns, 200);
    assert.equal(transcript.status, 'active');
    assert.equal(transcript.droppedTurns, 0);
    assert.ok(transcript.summarizedTurns > 100, `${transcript.summarizedTurns} turns summarised`);
    assert.equal(
      transcript.summarizedTurns + transcript.turns.length,
      200,
      'every turn is either summarised or kept',
    );
    assert.deepEqual(
      transcript.turns.map((t) => t.n),
      Array.from({ length: transcript.turns.length }, (_, i) => transcript.summarizedTurns + 1 + i),
    );
    assert.equal(transcript.turns.at(-1)?.user, message(200));
    assert.match(
      transcript.summary,
      /^Emulated reply from conv-summarizer/,
      'the cheaper model wrote the summary',
    );
    assert.ok(transcript.run >= 4, `continued-as-new every 50 turns (run ${transcript.run})`);
    assert.ok(folds >= 5, `${folds} folds`);
    assert.ok(transcript.costUsd > 0);

    // Every prompt the emulator received, turns and summaries, fitted the window; and the budget was
    // used, not avoided: the largest prompts came close to the share of the window they may fill.
    const calls = h.emulator.calls().filter((c) => c.receivedAtMs >= started);
    const turnCalls = calls.filter((c) => c.model === 'conv-small');
    const summaryCalls = calls.filter((c) => c.model === 'conv-summarizer');
    assert.equal(turnCalls.length, 200);
    assert.ok(summaryCalls.length >= folds);
    for (const call of [...turnCalls, ...summaryCalls]) {
      assert.equal(call.status, 200);
      assert.ok(
        (call.inputTokens ?? Infinity) < WINDOW,
        `${call.model} prompt of ${call.inputTokens} tokens`,
      );
    }
    const largest = Math.max(...turnCalls.map((c) => c.inputTokens ?? 0));
    console.log(`largest turn prompt: ${largest} emulator tokens of a ${WINDOW}-token window`);
    assert.ok(largest > WINDOW * WINDOW_SHARE * 0.6, `largest turn prompt ${largest} tokens`);

    // The last turn's prompt carried the summary and the recent turns, in order, up to turn 199.
    const last = await childRequest(`${id}/turn-200`);
    assert.equal(last.templateId, 'conversation');
    assert.equal(last.variables.message, message(200));
    assert.match(String(last.variables.summary), /^Emulated reply from conv-summarizer/);
    const sent = last.variables.turns as { user: string }[];
    assert.ok(sent.length > 0);
    assert.equal(sent.at(-1)?.user, message(199));
    assert.equal(Number(last.variables.summarized_turns) + sent.length, 199);
    // The first summary request read the oldest turns with the summarize_context template.
    const summary = await childRequest(`${id}/summary-1`);
    assert.equal(summary.templateId, 'summarize_context');
    assert.equal(summary.taskType, 'summarization');
    const items = summary.variables.items as { id: string; content: string }[];
    assert.equal(items[0]?.id, 'turn-1');
    assert.match(items[0]?.content ?? '', /^User: Message 1:/);

    const final = await conversation.end();
    assert.equal(final.status, 'ended');
    assert.equal(final.totalTurns, 200);
    const result = await conversation.result();
    assert.equal(result.totalTurns, 200);

    // Every run's history replays against the current code: the workflow is deterministic. Each
    // run's start event names the run it continued from.
    const bundle = await workflowBundle();
    let runs = 0;
    for (let runId: string | undefined = (await conversation.workflow.describe()).runId; runId; runs++) {
      const history = await h.env.client.workflow.getHandle(id, runId).fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: bundle }, history, id);
      runId =
        history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
    }
    assert.ok(runs >= 4, `${runs} runs replayed`);
  });
});

describe('a conversation', () => {
  let conversation: ConversationHandle;
  before(async () => {
    conversation = await conversations.start({
      conversationId: requestId('rules'),
      windowShare: WINDOW_SHARE,
    });
  });

  it('answers a message with the reply of the turn child, and remembers it in the transcript', async () => {
    const reply = await conversation.sendMessage('Hello there, my name is Ada.');
    assert.equal(reply.turn, 1);
    assert.match(reply.reply, /Emulated reply from conv-small/);
    const transcript = await conversation.transcript();
    assert.equal(transcript.totalTurns, 1);
    assert.deepEqual(
      transcript.turns.map((t) => [t.n, t.user, t.assistant]),
      [[1, 'Hello there, my name is Ada.', reply.reply]],
    );
    assert.equal(transcript.summary, '');
  });

  it('refuses an empty message without recording a turn', async () => {
    const { type, message } = await failureOf(conversation.sendMessage('   '));
    assert.equal(type, 'InvalidRequestError');
    assert.match(message, /non-empty/);
    assert.equal((await conversation.transcript()).totalTurns, 1);
  });

  it('refuses a second message while the first is being answered', async () => {
    h.emulator.setLatency({ holdMs: 1500, model: 'conv-small' });
    try {
      const first = conversation.sendMessage('First of two messages sent at once.');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const { type, message } = await failureOf(conversation.sendMessage('Second of two messages.'));
      assert.equal(type, 'ConversationBusyError');
      assert.match(message, /still answering turn 2/);
      assert.equal((await first).turn, 2);
    } finally {
      h.emulator.reset();
    }
    const transcript = await conversation.transcript();
    assert.deepEqual(
      transcript.turns.map((t) => t.user),
      ['Hello there, my name is Ada.', 'First of two messages sent at once.'],
    );
  });

  it('fails only the turn whose message cannot fit the window, and keeps going', async () => {
    const huge = 'word '.repeat(5000);
    const { type, message } = await failureOf(conversation.sendMessage(huge));
    assert.equal(type, 'InvalidRequestError');
    assert.match(message, /too long/);
    const next = await conversation.sendMessage('A short message after the long one.');
    assert.equal(next.turn, 3);
  });

  it('fails a turn whose models all fail with their typed error; the next message takes its number', async () => {
    h.emulator.addFault({ model: 'conv-small', status: 401, times: 1 });
    const { type, message } = await failureOf(conversation.sendMessage('This one meets a revoked key.'));
    assert.equal(type, 'AllModelsFailedError');
    assert.match(message, /conv-small: AuthenticationError/);
    const next = await conversation.sendMessage('And this one gets through.');
    assert.equal(next.turn, 4);
    const transcript = await conversation.transcript();
    assert.equal(transcript.totalTurns, 4);
    assert.equal(transcript.turns.at(-1)?.user, 'And this one gets through.');
  });

  it('ends on request: the result is the final transcript and later messages are refused', async () => {
    const final = await conversation.end();
    assert.equal(final.status, 'ended');
    assert.equal(final.totalTurns, 4);
    assert.equal((await conversation.result()).totalTurns, 4);
    const refused = await failureOf(conversation.sendMessage('Anyone there?'));
    assert.equal(refused.type, 'ConversationEndedError');
    assert.equal((await conversation.transcript()).status, 'ended', 'the transcript is still readable');
  });
});

describe('an idle conversation', () => {
  it('ends by itself after idleTimeoutSeconds without a message', async () => {
    const conversation = await conversations.start({
      conversationId: requestId('idle'),
      idleTimeoutSeconds: 1,
    });
    await conversation.sendMessage('Just one message, then silence.');
    const started = Date.now();
    const final = await conversation.result();
    assert.equal(final.status, 'ended');
    assert.equal(final.totalTurns, 1);
    const waited = Date.now() - started;
    assert.ok(waited >= 700 && waited < 5000, `ended ${waited} ms after the last reply`);
  });
});

describe('llm-orchestrator chat', () => {
  it('sends each line as a turn, shows the transcript and ends the conversation', async () => {
    const id = requestId('chat-cli');
    const output: string[] = [];
    const command = chatCommand({
      input: Readable.from(['Hello from the terminal.\n', '\n', '/transcript\n', '/end\n', 'never sent\n']),
      stdout: (text) => output.push(text),
      connect: async () => h.client,
    });
    await command.parseAsync(['--conversation-id', id], { from: 'user' });
    const text = output.join('');
    assert.match(text, new RegExp(`conversation ${id} — type a message`));
    assert.match(text, /conv-small: Emulated reply from conv-small/);
    assert.match(text, /1 turns \(run 1\), 0 summarised/);
    assert.match(text, /#1 you: Hello from the terminal\./);
    assert.match(text, /ended after 1 turns/);
    const transcript = await conversations.transcript(id);
    assert.equal(transcript.status, 'ended');
    assert.equal(transcript.totalTurns, 1);
  });
});

describe('when the summariser fails', () => {
  it('prunes the old turns without a summary, and the turn is still answered', async () => {
    const conversation = await conversations.start({
      conversationId: requestId('summary-fails'),
      windowShare: WINDOW_SHARE,
      maxRecentTurns: 4,
    });
    for (let n = 1; n <= 4; n++) await conversation.sendMessage(message(n));
    // A 400 is not retried, and the summary route has no fallback: the summary request fails.
    h.emulator.addFault({ model: 'conv-summarizer', status: 400, times: 1 });
    const reply = await conversation.sendMessage(message(5));
    assert.equal(reply.turn, 5);
    assert.equal(reply.foldedTurns, 2);
    const transcript = await conversation.transcript();
    assert.equal(transcript.droppedTurns, 2);
    assert.equal(transcript.summarizedTurns, 2);
    assert.equal(transcript.summary, '');
    assert.deepEqual(
      transcript.turns.map((t) => t.n),
      [3, 4, 5],
    );
    await conversation.end();
  });
});
