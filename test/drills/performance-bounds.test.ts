// Time bounds on code that must not go quadratic on hostile input: the log redactor and the JSON
// extractor. Wall-clock figures, so they run with the drills rather than in npm test (where the
// same inputs are checked for what they return).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { redact } from '../../core/logging/redact.js';
import { extractJson } from '../../core/response/json.js';

it('redacts a long prompt with no match in linear time', () => {
  const started = performance.now();
  redact(`${'a'.repeat(200_000)}@${'b.'.repeat(50_000)}`);
  redact('1'.repeat(200_000));
  assert.ok(performance.now() - started < 500, 'no pattern backtracks quadratically');
});

it('refuses adversarial JSON-like input quickly', () => {
  const started = performance.now();
  assert.throws(() => extractJson(`${'[{'.repeat(20_000)}x`));
  assert.throws(() => extractJson(`${'{"a": ]'.repeat(20_000)}`));
  assert.ok(performance.now() - started < 2_000);
});
