// The worker's start-up check that its heap holds the provider calls it lets in at once.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { HEAP_BYTES_AT_IDLE, HEAP_BYTES_PER_CALL, heapWarning } from '../workers/heapCheck.js';

const MiB = 1024 * 1024;

it('says nothing when the slots fit the heap (the defaults: 1,000 calls, the image’s 512 MiB)', () => {
  assert.equal(heapWarning(1000, 512 * MiB), undefined);
});

it('warns when they do not, with how many fit and the heap to ask for', () => {
  const warning = heapWarning(10_000, 512 * MiB);
  assert.ok(warning);
  const fits = Math.floor((512 * MiB - HEAP_BYTES_AT_IDLE) / HEAP_BYTES_PER_CALL);
  assert.match(warning, /WORKER_MAX_CONCURRENT_ACTIVITIES=10000/);
  assert.match(warning, new RegExp(`about ${fits} fit`));
  const needed = Math.ceil((HEAP_BYTES_AT_IDLE + 10_000 * HEAP_BYTES_PER_CALL) / MiB);
  assert.match(warning, new RegExp(`--max-old-space-size \\(NODE_OPTIONS\\) to ${needed} or more`));
});
