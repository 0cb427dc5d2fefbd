// Bad input drill, the tokenizer: a variable holding one long unbroken "word" (2,500 letters with no
// space, as in a long identifier, a DNA sequence or a line of separators) must cost about what any
// other 2.5 KB prompt costs, and must not stall the other requests on the same worker.
// Token counting runs on the worker's main thread (local activities), so a slow count freezes every
// request the worker holds.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { timedRequest } from '../../bench/loadgen.js';
import { type Harness, requestId, startHarness } from '../support/harness.js';

/** A 2.5 KB request normally takes well under a second here; this leaves room for a loaded CI machine. */
const BOUND_MS = 3000;

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.stop();
});

const request = (label: string, question: string) => ({
  requestId: requestId(label),
  taskType: 'general_qa',
  templateId: 'general_qa',
  variables: { question },
  model: 'gpt-4o-mini',
});

it('a 2,500-letter unbroken word is counted quickly and does not stall other requests', async () => {
  // Warm the worker (encoders, template cache) so the bound measures the word, not start-up.
  await h.client.process(request('warm', 'Warm up, please.'));
  const word = 'x'.repeat(2500);
  const [long, normal] = await Promise.all([
    timedRequest(h.client, request('long-word', `Is this a word? ${word}`)),
    // Sent a moment later, so that it waits behind the long word if counting blocks the worker.
    new Promise((resolve) => setTimeout(resolve, 50)).then(() =>
      timedRequest(h.client, request('bystander', 'A normal question sent at the same time.')),
    ),
  ]);
  console.log(
    `drill long word: the 2,500-letter word request took ${Math.round(long.latencyMs)} ms (${long.status}), a normal request sent alongside took ${Math.round(normal.latencyMs)} ms (${normal.status}); bound ${BOUND_MS} ms`,
  );
  assert.equal(long.status, 'success');
  assert.equal(normal.status, 'success');
  assert.ok(normal.latencyMs < BOUND_MS, `the normal request took ${Math.round(normal.latencyMs)} ms`);
  assert.ok(long.latencyMs < BOUND_MS, `the long-word request took ${Math.round(long.latencyMs)} ms`);
});
