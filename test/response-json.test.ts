// extractJson: finding the JSON in a model's answer (bare, fenced, amid prose) and refusing, with
// reasons, answers that hold none.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrchestratorError } from '../common/errors.js';
import { extractJson } from '../core/response/json.js';

/** Asserts extractJson refuses `text` with an InvalidResponseError whose message matches `pattern`. */
function assertRefused(text: string, pattern: RegExp): void {
  assert.throws(
    () => extractJson(text),
    (error: OrchestratorError) => {
      assert.equal(error.name, 'InvalidResponseError');
      assert.match(error.message, pattern);
      const details = error.errorDetails as { reasons?: string[]; validationErrors?: string[] };
      assert.equal(details.reasons?.length, 1);
      assert.deepEqual(details.validationErrors, []);
      return true;
    },
  );
}

describe('extractJson', () => {
  it('reads a ```json fenced block', () => {
    const text = 'Here is the plan:\n\n```json\n{"tasks": [{"id": 1}]}\n```\nLet me know!';
    assert.deepEqual(extractJson(text), { tasks: [{ id: 1 }] });
  });

  it('takes the first ```json block that parses', () => {
    const text = '```json\n{"broken": }\n```\n\nCorrected:\n```json\n{"fixed": true}\n```';
    assert.deepEqual(extractJson(text), { fixed: true });
  });

  it('reads any fenced block that parses when none is tagged json', () => {
    const text = 'Result:\n```\n[1, 2, 3]\n```\n```python\nprint("hi")\n```';
    assert.deepEqual(extractJson(text), [1, 2, 3]);
    assert.deepEqual(extractJson('```javascript\n{"a": 1}\n```'), { a: 1 });
  });

  it('reads an indented fence inside a list item and a ~~~ fence', () => {
    assert.deepEqual(extractJson('1. The answer:\n   ```json\n   {"a": 1}\n   ```'), { a: 1 });
    assert.deepEqual(extractJson('~~~json\n{"b": 2}\n~~~'), { b: 2 });
  });

  it('reads bare JSON, including top-level arrays and surrounding whitespace', () => {
    assert.deepEqual(extractJson('  {"a": [true, null, 1.5]}  \n'), { a: [true, null, 1.5] });
    assert.deepEqual(extractJson('[{"x": 1}, {"x": 2}]'), [{ x: 1 }, { x: 2 }]);
  });

  it('finds an object wrapped in prose', () => {
    const text =
      'Sure! Based on the requirement, {"summary": "ok", "score": 3} is my answer. Hope this helps :}';
    assert.deepEqual(extractJson(text), { summary: 'ok', score: 3 });
  });

  it('finds an array wrapped in prose, skipping bracketed prose', () => {
    const text = 'The items [see below] are: ["alpha", "beta"] [1]';
    assert.deepEqual(extractJson(text), ['alpha', 'beta']);
  });

  it('is not confused by braces and quotes inside JSON strings', () => {
    const text = 'Answer: {"code": "function f() { return \\"}\\"; }", "note": "[not an array"} trailing {';
    assert.deepEqual(extractJson(text), { code: 'function f() { return "}"; }', note: '[not an array' });
  });

  it('skips an invalid object in the prose and takes a later valid one', () => {
    const text = 'The format is {"name": <string>}. Here it is: {"name": "Ada"}';
    assert.deepEqual(extractJson(text), { name: 'Ada' });
  });

  it('never returns a fragment from inside broken JSON', () => {
    assertRefused(
      '{"tasks": [{"id": 1}, {"id": 2},]}',
      /found an object at offset 0 but it is not valid JSON/,
    );
    assertRefused('{"tasks": [{"id": 1}, {"id": 2', /found '\{' at offset 0 that is never closed/);
  });

  it('says when a ```json block is not valid JSON', () => {
    assertRefused(
      'Example: {"ok": true}\n```json\n{"tasks": [1, 2,]}\n```',
      /found a ```json block but it is not valid JSON: .+/,
    );
  });

  it('says when nothing looks like JSON', () => {
    assertRefused('I am sorry, I cannot help with that.', /no JSON object or array found/);
    assertRefused('[note] See {name} and [the docs].', /no JSON object or array found/);
    assertRefused('   \n ', /the answer is empty/);
  });

  it('says when fenced blocks hold no JSON', () => {
    assertRefused('```python\nprint(1)\n```', /found 1 fenced block\(s\) but none is valid JSON/);
  });

  it('refuses adversarial input with a reason (how fast: test/drills/performance-bounds.test.ts)', () => {
    assertRefused(`${'[{'.repeat(20_000)}x`, /never closed|no JSON/);
    assertRefused(`${'{"a": ]'.repeat(20_000)}`, /no JSON object or array found/);
  });
});
