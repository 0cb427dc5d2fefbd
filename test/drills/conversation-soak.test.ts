// Soak: a 200-turn conversation inside a 4000-token window, folding old turns into a summary and
// continuing-as-new every 50 turns; every prompt fits, the prompts fill the window's share, and every
// run's history replays. test/conversation.test.ts runs the same checks over 20 turns.
import { after, before, it } from 'node:test';
import { checkLongConversation, startConversationHarness } from '../support/conversation.js';
import type { Harness } from '../support/harness.js';

let h: Harness;
before(async () => {
  h = await startConversationHarness();
});
after(async () => {
  await h?.stop();
});

it('runs 200 turns inside a 4000-token window, folding old turns into a summary, across continue-as-new', async () => {
  await checkLongConversation(h, {
    turns: 200,
    maxRecentTurns: 100,
    maxTurnsPerRun: 50,
    runs: 4,
    minFolds: 5,
    fillsWindow: true,
  });
});
