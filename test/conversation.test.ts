// Conversations end to end on the real dev server and the provider emulator: a long conversation
// stays inside a small model window by folding old turns into a summary made by a cheaper model,
// continues-as-new without losing its transcript, and refuses what it cannot do.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { chatCommand } from '../cli/chat.js';
import { ConversationClient, type ConversationHandle } from '../client/conversation.js';
import { failureType } from '../common/errors.js';
import {
  checkLongConversation,
  message,
  startConversationHarness,
  WINDOW_SHARE,
} from './support/conversation.js';
import { type Harness, requestId } from './support/harness.js';
import { until } from './support/wait.js';

let h: Harness;
let conversations: ConversationClient;

before(async () => {
  h = await startConversationHarness();
  conversations = new ConversationClient(h.client);
});
after(async () => {
  await h?.stop();
});

async function failureOf(call: Promise<unknown>): Promise<{ type: string | undefined; message: string }> {
  try {
    await call;
  } catch (error) {
    return { type: failureType(error), message: (error as Error).message };
  }
  assert.fail('the call should have failed');
}

describe('a long conversation', () => {
  it('runs 20 turns inside a 4000-token window, folding old turns into a summary, across continue-as-new', async () => {
    // The same checks over 200 turns are the soak in test/drills/conversation-soak.test.ts.
    await checkLongConversation(h, {
      turns: 20,
      maxRecentTurns: 6,
      maxTurnsPerRun: 7,
      runs: 3,
      minFolds: 2,
      fillsWindow: false,
    });
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
    h.emulator.setLatency({ holdMs: 3000, model: 'conv-small' });
    try {
      const first = conversation.sendMessage('First of two messages sent at once.');
      // Sent once the first turn's provider call is being held: the turn is certainly in flight.
      await until(
        () => h.emulator.calls().some((c) => c.model === 'conv-small' && c.status === 'pending'),
        30_000,
        "the first turn's provider call",
      );
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
    const final = await conversation.result();
    assert.equal(final.status, 'ended');
    assert.equal(final.totalTurns, 1);
    // What ended it was the idle timer: a 1 s timer fired, and the run completed after it.
    const events = (await conversation.workflow.fetchHistory()).events ?? [];
    const idleTimers = events.filter(
      (e) => Number(e.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? 0) === 1,
    );
    const fired = events.find((e) =>
      idleTimers.some((t) => Number(t.eventId) === Number(e.timerFiredEventAttributes?.startedEventId ?? -1)),
    );
    const completed = events.find((e) => e.workflowExecutionCompletedEventAttributes);
    assert.ok(fired, 'the idle timer fired');
    assert.ok(completed && Number(completed.eventId) > Number(fired.eventId), 'the run ended after it');
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
