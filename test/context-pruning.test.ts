import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage, ContextItem } from '../common/request.js';
import { computeBudget } from '../core/context/budget.js';
import { type CountedItem, countItems, pruneContext, selectContext } from '../core/context/pruning.js';
import {
  appendContext,
  CONTEXT_SEPARATOR,
  renderContextBlock,
  renderContextSection,
} from '../core/context/render.js';
import { recencyScores, scoreItems } from '../core/context/scoring.js';
import { tokenCounter } from '../core/context/tokens.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

function item(
  id: string,
  relevanceScore: number,
  hoursAfterT0: number,
  extra: Partial<ContextItem> = {},
): ContextItem {
  return {
    id,
    content: `content of ${id}`,
    relevanceScore,
    timestamp: new Date(T0 + hoursAfterT0 * HOUR).toISOString(),
    ...extra,
  };
}

const counted = (entry: ContextItem, tokens: number): CountedItem => ({ item: entry, tokens });
const ids = (items: readonly ContextItem[]): string[] => items.map((entry) => entry.id);

// Relevance and recency disagree on purpose: a is relevant but old, d is fresh but barely relevant.
const SET: CountedItem[] = [
  counted(item('a', 0.9, 0), 40),
  counted(item('b', 0.5, 1), 40),
  counted(item('c', 0.8, 2), 40),
  counted(item('d', 0.1, 3), 40),
];

describe('pruning strategies', () => {
  it('relevance keeps the most relevant items, returned in their original order', () => {
    const result = selectContext({ items: SET, budgetForItems: 80, strategy: 'relevance' });
    assert.deepEqual(ids(result.kept), ['a', 'c']);
    assert.deepEqual(
      result.dropped.map((d) => [d.id, d.reason]),
      [
        ['b', 'budget'],
        ['d', 'budget'],
      ],
    );
    assert.equal(result.keptTokens, 80);
    assert.equal(result.droppedTokens, 80);
  });

  it('recency keeps the newest items', () => {
    const result = selectContext({ items: SET, budgetForItems: 80, strategy: 'recency' });
    assert.deepEqual(ids(result.kept), ['c', 'd']);
  });

  it('hybrid combines 0.7 relevance and 0.3 normalised recency by default', () => {
    // Scores: a 0.63, b 0.45, c 0.76, d 0.37.
    const scores = scoreItems(
      SET.map((c) => c.item),
      'hybrid',
    );
    assert.deepEqual(
      scores.map((s) => Math.round(s * 100) / 100),
      [0.63, 0.45, 0.76, 0.37],
    );
    const result = selectContext({ items: SET, budgetForItems: 80, strategy: 'hybrid' });
    assert.deepEqual(ids(result.kept), ['a', 'c']);
  });

  it('hybrid weights are configurable', () => {
    // Recency-heavy: a 0.18, b 0.433, c 0.693, d 0.92.
    const result = selectContext({
      items: SET,
      budgetForItems: 80,
      strategy: 'hybrid',
      weights: { relevance: 0.2, recency: 0.8 },
    });
    assert.deepEqual(ids(result.kept), ['c', 'd']);
  });

  it('normalises recency between the oldest and newest item, with a one-second floor', () => {
    const scores = recencyScores([item('old', 0, 0), item('mid', 0, 1), item('new', 0, 2)]);
    assert.deepEqual(scores, [0, 0.5, 1]);
    const close = recencyScores([
      { ...item('x', 0, 0), timestamp: '2026-01-01T00:00:00.000Z' },
      { ...item('y', 0, 0), timestamp: '2026-01-01T00:00:00.500Z' },
    ]);
    assert.deepEqual(close, [0.5, 1]);
  });

  it('ranks an item without a readable timestamp as the oldest', () => {
    const scores = recencyScores([
      item('a', 0, 0),
      { ...item('b', 0, 0), timestamp: 'yesterday' },
      item('c', 0, 1),
    ]);
    assert.deepEqual(scores, [0, 0, 1]);
  });

  it('a large item that does not fit does not stop smaller, lower-ranked items', () => {
    const items = [
      counted(item('big', 0.9, 0), 60),
      counted(item('medium', 0.8, 0), 50),
      counted(item('small', 0.7, 0), 30),
      counted(item('huge', 0.95, 0), 500),
    ];
    const result = selectContext({ items, budgetForItems: 100, strategy: 'relevance' });
    // huge is tried first and skipped, big fits, medium would overflow, small still fits.
    assert.deepEqual(ids(result.kept), ['big', 'small']);
    assert.deepEqual(result.dropped, [
      { id: 'medium', tokens: 50, reason: 'budget' },
      { id: 'huge', tokens: 500, reason: 'exceeds-budget' },
    ]);
    assert.equal(result.keptTokens, 90);
  });

  it('keeps pinned items first, whatever their score', () => {
    const items = [...SET, counted(item('pinned', 0, -100, { pinned: true }), 40)];
    const result = selectContext({ items, budgetForItems: 80, strategy: 'relevance' });
    assert.deepEqual(ids(result.kept), ['a', 'pinned']);
    assert.equal(result.overBudget, false);
  });

  it('keeps pinned items even when they alone exceed the budget, and says so', () => {
    const items = [
      ...SET,
      counted(item('p1', 0, 0, { pinned: true }), 60),
      counted(item('p2', 0, 0, { pinned: true }), 60),
    ];
    const result = selectContext({ items, budgetForItems: 100, strategy: 'hybrid' });
    assert.deepEqual(ids(result.kept), ['p1', 'p2']);
    assert.equal(result.overBudget, true);
    assert.equal(result.keptTokens, 120);
    assert.equal(result.dropped.length, 4);
  });

  it('breaks ties by id, whatever the input order', () => {
    const tied = ['e', 'b', 'd', 'a', 'c'].map((id) => counted(item(id, 0.5, 0), 10));
    const forward = selectContext({ items: tied, budgetForItems: 30, strategy: 'hybrid' });
    const backward = selectContext({ items: [...tied].reverse(), budgetForItems: 30, strategy: 'hybrid' });
    assert.deepEqual(ids(forward.kept), ['b', 'a', 'c']);
    assert.deepEqual(ids(backward.kept), ['c', 'a', 'b']);
    assert.deepEqual(ids(forward.kept).sort(), ids(backward.kept).sort());
  });
});

describe('pruneContext budget', () => {
  const counter = tokenCounter('o200k_base');
  const messages: ChatMessage[] = [
    { role: 'system', content: 'You are a careful software engineer.' },
    { role: 'user', content: 'Summarise the design decisions below.' },
  ];
  const items = Array.from({ length: 20 }, (_, i) =>
    item(`doc-${String(i).padStart(2, '0')}`, (i % 7) / 7, i, {
      source: 'wiki',
      content: `Decision ${i}: we chose option ${i % 3} because it keeps the workflow deterministic.`,
    }),
  );

  it('charges the fixed messages and the reserved output to the same budget', () => {
    const fixedTokens = counter.countMessages(messages);
    const result = pruneContext({
      items,
      budgetTokens: 400,
      strategy: 'relevance',
      counter,
      fixedMessages: messages,
      reservedOutputTokens: 100,
    });
    assert.equal(result.fixedTokens, fixedTokens);
    assert.equal(result.budgetForItems, 400 - fixedTokens - 100);
    assert.ok(result.keptTokens <= result.budgetForItems);
    assert.ok(result.kept.length > 0 && result.dropped.length > 0);
    assert.equal(result.kept.length + result.dropped.length, items.length);

    const withoutReservation = pruneContext({
      items,
      budgetTokens: 400,
      strategy: 'relevance',
      counter,
      fixedMessages: messages,
    });
    assert.ok(withoutReservation.kept.length > result.kept.length);
  });

  it('counts what is sent: the rendered block fits in the tokens it was charged', () => {
    const result = pruneContext({
      items,
      budgetTokens: 300,
      strategy: 'hybrid',
      counter,
      fixedMessages: messages,
    });
    const sent = appendContext(messages, result.kept);
    assert.ok(counter.countMessages(sent) <= result.fixedTokens + result.keptTokens);
    assert.ok(counter.countMessages(sent) <= 300);
  });

  it('keeps kept items in their original order', () => {
    const result = pruneContext({ items, budgetTokens: 350, strategy: 'relevance', counter });
    const positions = result.kept.map((kept) => items.indexOf(kept));
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
    );
  });

  it('reports overBudget when the prompt alone does not fit', () => {
    const result = pruneContext({
      items,
      budgetTokens: 10,
      strategy: 'recency',
      counter,
      fixedMessages: messages,
    });
    assert.equal(result.overBudget, true);
    assert.equal(result.budgetForItems, 0);
    assert.equal(result.kept.length, 0);
    assert.equal(
      result.droppedTokens,
      result.dropped.reduce((sum, d) => sum + d.tokens, 0),
    );
  });

  it('rejects negative weights with an InvalidRequestError', () => {
    assert.throws(
      () => pruneContext({ items, budgetTokens: 300, strategy: 'hybrid', counter, weights: { recency: -1 } }),
      (error: Error) => error.name === 'InvalidRequestError' && /recency/.test(error.message),
    );
  });
});

describe('computeBudget', () => {
  it('is the window minus the reserved output', () => {
    assert.equal(computeBudget({ contextWindow: 128_000, maxOutputTokens: 4_000 }), 124_000);
  });

  it('is the task budget when that is smaller', () => {
    assert.equal(
      computeBudget({ contextWindow: 128_000, maxOutputTokens: 4_000, taskTokenBudget: 8_000 }),
      8_000,
    );
    assert.equal(
      computeBudget({ contextWindow: 8_192, maxOutputTokens: 4_096, taskTokenBudget: 100_000 }),
      4_096,
    );
  });

  it('is never negative', () => {
    assert.equal(computeBudget({ contextWindow: 4_096, maxOutputTokens: 8_000 }), 0);
  });
});

describe('rendering the context block', () => {
  it('renders [source • id] sections separated by blank lines, deterministically', () => {
    const block = renderContextBlock([
      item('a', 1, 0, { source: 'jira', content: 'first' }),
      item('b', 1, 0, { content: 'second' }),
    ]);
    assert.equal(block, '[jira • a]\nfirst\n\n[b]\nsecond');
  });

  it('appends the block to the last user message without touching the input', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'question' },
    ];
    const sent = appendContext(messages, [item('a', 1, 0, { content: 'fact' })]);
    assert.equal(sent[1]?.content, 'question\n\n[a]\nfact');
    assert.equal(messages[1]?.content, 'question');
    assert.deepEqual(appendContext(messages, []), messages);
    assert.deepEqual(appendContext([{ role: 'system', content: 's' }], [item('a', 1, 0, { content: 'x' })]), [
      { role: 'system', content: 's' },
      { role: 'user', content: '[a]\nx' },
    ]);
  });
});

describe('countItems', () => {
  it('charges exactly the rendered section plus one separator, whatever the content starts with', () => {
    const contents = [
      'plain words',
      '/usr/bin/env node',
      '\nstarts with a newline',
      '\r\nwindows',
      '  indented',
      '// a comment',
      '“quoted” — café 🚀',
      ']',
      '',
    ];
    for (const tokenizer of ['o200k_base', 'cl100k_base'] as const) {
      const counter = tokenCounter(tokenizer);
      const items = contents.map((content, i) =>
        item(`id-${i}`, 1, 0, { content, ...(i % 2 ? { source: 'git' } : {}) }),
      );
      countItems(items, counter).forEach(({ item: counted, tokens }) => {
        const expected = counter.count(renderContextSection(counted)) + counter.count(CONTEXT_SEPARATOR);
        assert.equal(tokens, expected, `${tokenizer} ${JSON.stringify(counted.content)}`);
      });
    }
  });
});
