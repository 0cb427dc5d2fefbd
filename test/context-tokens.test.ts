import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messageText } from '../common/messages.js';
import type { ChatMessage } from '../common/request.js';
import { clearTokenMemo, countBpeTokens, encodeBpe } from '../core/context/encoding.js';
import {
  ANTHROPIC_ESTIMATE_FACTOR,
  counterForModel,
  MESSAGE_OVERHEAD_TOKENS,
  REPLY_PRIMING_TOKENS,
  tokenCounter,
} from '../core/context/tokens.js';

// Expected counts computed once with js-tiktoken 1.0.21's own encoder.
const KNOWN: [text: string, o200k: number, cl100k: number][] = [
  ['hello world', 2, 2],
  ['The quick brown fox jumps over the lazy dog.', 10, 10],
  ['function add(a, b) {\n  return a + b;\n}', 14, 14],
  ['naïve café 東京 🚀', 7, 10],
  ['', 0, 0],
];

const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'hello world' },
];

describe('token counting', () => {
  it('counts known strings exactly under o200k_base and cl100k_base', () => {
    const o200k = tokenCounter('o200k_base');
    const cl100k = tokenCounter('cl100k_base');
    for (const [text, expectedO200k, expectedCl100k] of KNOWN) {
      assert.equal(o200k.count(text), expectedO200k, `o200k_base ${JSON.stringify(text)}`);
      assert.equal(cl100k.count(text), expectedCl100k, `cl100k_base ${JSON.stringify(text)}`);
    }
  });

  it('matches a full tiktoken encode on varied text, cold and memoised', () => {
    const corpus = [
      '  leading, trailing and   inner   spaces   ',
      'def f(x):\n    return x  +  1\n\n\n\tindented\r\nwindows line',
      "don't I'LL we've THEY'RE",
      '12345678901234567890 3.14159 -42 1e10',
      'emoji 🎉🚀👩‍👩‍👧 and 中文字符 and العربية and ελληνικά',
      'text with <|endoftext|> and <|im_start|> as plain text',
      `${'a'.repeat(250)} ${'xy'.repeat(120)} ${'🙂'.repeat(40)}`,
      '{"json": [1, 2, {"nested": "va\\"lue"}], "url": "https://example.com/a?b=c&d=e"}',
    ];
    for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
      clearTokenMemo();
      for (const text of corpus) {
        const expected = encodeBpe(encoding, text).length;
        assert.equal(countBpeTokens(encoding, text), expected, `${encoding} cold ${JSON.stringify(text)}`);
        assert.equal(countBpeTokens(encoding, text), expected, `${encoding} warm ${JSON.stringify(text)}`);
      }
    }
  });

  it('counts a very long unbroken run quickly, as an upper bound within one token per 64 characters', () => {
    for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
      // Past MAX_EXACT_PIECE_LENGTH (256), so they are counted in slices; the exact reference
      // encode is quadratic in the run's length, so longer runs only make the test slower.
      for (const run of ['a'.repeat(700), 'xy'.repeat(350), '🙂'.repeat(200)]) {
        const exact = encodeBpe(encoding, run).length;
        const counted = countBpeTokens(encoding, run);
        assert.ok(counted >= exact, `${encoding}: ${counted} ≥ exact ${exact}`);
        assert.ok(
          counted <= exact + Math.ceil(run.length / 64),
          `${encoding}: ${counted} within the bound of ${exact}`,
        );
      }
    }
  });

  it('treats special-token text as plain text instead of throwing', () => {
    assert.equal(tokenCounter('o200k_base').count('<|endoftext|>'), 7);
  });

  it('adds 3 tokens per message, the role, and 3 for reply priming', () => {
    const counter = tokenCounter('o200k_base');
    // system: 3 + 1 ("system") + 6; user: 3 + 1 ("user") + 2; reply priming: 3.
    assert.equal(counter.countMessages(MESSAGES), 19);
    const contentTokens = MESSAGES.reduce(
      (sum, m) => sum + counter.count(messageText(m)) + counter.count(m.role),
      0,
    );
    assert.equal(
      counter.countMessages(MESSAGES),
      contentTokens + MESSAGES.length * MESSAGE_OVERHEAD_TOKENS + REPLY_PRIMING_TOKENS,
    );
    assert.equal(counter.countMessages([]), 0);
  });

  it('estimates Anthropic tokens at or above the cl100k count, with the documented margin', () => {
    const anthropic = tokenCounter('anthropic');
    const cl100k = tokenCounter('cl100k_base');
    for (const [text] of KNOWN) {
      assert.ok(anthropic.count(text) >= cl100k.count(text), JSON.stringify(text));
      assert.equal(anthropic.count(text), Math.ceil(cl100k.count(text) * ANTHROPIC_ESTIMATE_FACTOR));
    }
    assert.equal(anthropic.count('hello world'), 3);
    assert.ok(anthropic.countMessages(MESSAGES) >= cl100k.countMessages(MESSAGES));
    assert.equal(anthropic.countMessages(MESSAGES), 22);
  });

  it('builds one counter per tokenizer per process', () => {
    assert.equal(tokenCounter('o200k_base'), tokenCounter('o200k_base'));
    assert.equal(tokenCounter('anthropic').tokenizer, 'anthropic');
  });

  it('rejects a catalog tokenizer it does not know, naming the model', () => {
    assert.equal(counterForModel({ id: 'gpt-x', tokenizer: 'cl100k_base' }), tokenCounter('cl100k_base'));
    assert.throws(
      () => counterForModel({ id: 'gpt-x', tokenizer: 'o200k' }),
      (error: Error) => error.name === 'ConfigError' && /gpt-x.*o200k.*o200k_base/.test(error.message),
    );
  });
});
