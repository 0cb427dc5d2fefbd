// Token counting throughput and context pruning time on a synthetic corpus.
//
//   node --import tsx bench/tokens.ts [--items 10000] [--tokens-per-item 200] [--budget 8000] [--runs 7]
//                                     [--unicode-share 0.25]
//   npm run bench -- tokens [same options]
//
// Prints a table and writes bench/results/tokens-<timestamp>.json. The corpus is deterministic
// (seeded): prose from a Zipf-distributed vocabulary of 20,000 made-up words mixed with code-like
// lines, so the per-piece memo sees realistic repetition rather than a handful of words. A share of
// the items carries typographic punctuation (“ ” ’ —), as pasted documents do: V8 then stores them
// as two-byte strings, on which the tokenizer's regex is several times slower than on Latin-1.
import { parseArgs } from 'node:util';
import type { ChatMessage, ContextItem } from '../common/request.js';
import { clearTokenMemo, encodeBpe, loadEncoding } from '../core/context/encoding.js';
import { countItems, pruneContext, selectContext } from '../core/context/pruning.js';
import { PRUNING_STRATEGIES } from '../core/context/scoring.js';
import { type Tokenizer, tokenCounter } from '../core/context/tokens.js';
import { machineInfo, machineLine, round, writeResult } from './report.js';

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '10000' },
    'tokens-per-item': { type: 'string', default: '200' },
    budget: { type: 'string', default: '8000' },
    runs: { type: 'string', default: '7' },
    'unicode-share': { type: 'string', default: '0.25' },
  },
});
const ITEMS = Number(args.items);
const TOKENS_PER_ITEM = Number(args['tokens-per-item']);
const BUDGET = Number(args.budget);
const RUNS = Math.max(1, Number(args.runs));
const UNICODE_SHARE = Number(args['unicode-share']);

// --- measurement -----------------------------------------------------------------------------------
function time(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}
function median(runs: number, prepare: () => void, run: () => void): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    prepare();
    samples.push(time(run));
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? 0;
}
const noop = (): void => {};

// Rank tables load on first use; measured first, before anything else touches them.
const loadMs: Record<string, number> = {};
for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
  loadMs[encoding] = round(time(() => loadEncoding(encoding)));
}

// --- deterministic corpus --------------------------------------------------------------------------
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(20261125);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

const SYLLABLES =
  'ka,lo,mi,ten,ra,vis,on,de,pre,sto,qua,ble,ment,ing,ex,tra,por,cul,an,si,ver,gen,tor,al'.split(',');
const VOCABULARY = Array.from({ length: 20_000 }, () => {
  const length = 1 + Math.floor(random() * 3);
  return Array.from({ length }, () => pick(SYLLABLES)).join('');
});
// Zipf (s = 1.1): a few words are very common, most are rare, as in real text.
const CUMULATIVE = (() => {
  let sum = 0;
  return VOCABULARY.map((_, rank) => {
    sum += 1 / (rank + 1) ** 1.1;
    return sum;
  });
})();
function zipfWord(): string {
  const target = random() * (CUMULATIVE.at(-1) ?? 1);
  let low = 0;
  let high = CUMULATIVE.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((CUMULATIVE[mid] ?? 0) < target) low = mid + 1;
    else high = mid;
  }
  return VOCABULARY[low] ?? 'word';
}
function sentence(): string {
  const words = Array.from({ length: 6 + Math.floor(random() * 14) }, zipfWord);
  const first = words[0] ?? '';
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return `${words.join(' ')}${pick(['.', '.', '.', '?', '!'])}`;
}
function codeLine(): string {
  const name = `${zipfWord()}${zipfWord().replace(/^./, (c) => c.toUpperCase())}`;
  return pick([
    `const ${name} = await ${zipfWord()}(${Math.floor(random() * 1000)}, "${zipfWord()}");`,
    `if (${name}.length > ${Math.floor(random() * 64)}) { return ${zipfWord()}; }`,
    `def ${name}(${zipfWord()}, ${zipfWord()}=None):`,
    `    ${name}["${zipfWord()}"] = ${(random() * 100).toFixed(2)}`,
  ]);
}
function typographic(text: string): string {
  return text
    .replace(/ (\w+) (\w+)\./, ' “$1 $2.”')
    .replace(/\. /, '. — ')
    .replace(/(\w)s /, '$1’s ');
}
function itemText(words: number): string {
  const parts: string[] = [];
  let written = 0;
  while (written < words) {
    const part = random() < 0.8 ? sentence() : codeLine();
    parts.push(part);
    written += part.split(' ').length;
  }
  const text = parts.join(random() < 0.5 ? ' ' : '\n');
  return random() < UNICODE_SHARE ? typographic(text) : text;
}

// Calibrate words per item on a sample so items average about TOKENS_PER_ITEM tokens.
const calibrationCounter = tokenCounter('o200k_base');
const sample = Array.from({ length: 200 }, () => itemText(100));
const tokensPerWord =
  sample.reduce((sum, text) => sum + calibrationCounter.count(text), 0) /
  sample.reduce((sum, text) => sum + text.split(' ').length, 0);
const WORDS_PER_ITEM = Math.max(1, Math.round(TOKENS_PER_ITEM / tokensPerWord));
const START = Date.parse('2026-01-01T00:00:00Z');
const items: ContextItem[] = Array.from({ length: ITEMS }, (_, i) => ({
  id: `item-${String(i).padStart(6, '0')}`,
  content: itemText(WORDS_PER_ITEM),
  relevanceScore: Math.round(random() * 1000) / 1000,
  timestamp: new Date(START + Math.floor(random() * 30 * 86_400_000)).toISOString(),
  source: pick(['jira', 'confluence', 'github', 'slack']),
  ...(i % 1000 === 0 ? { pinned: true } : {}),
}));
const FIXED: ChatMessage[] = [
  { role: 'system', content: 'You are a senior engineer. Answer using the context below; cite items by id.' },
  { role: 'user', content: 'Which decisions in the context affect the payment service, and why?' },
];

interface CountingRow {
  tokenizer: Tokenizer;
  tokens: number;
  /** Plain js-tiktoken encode(text).length per item: the baseline without the memo. */
  encodeMs?: number;
  coldMs: number;
  warmMs: number;
}
const counting: CountingRow[] = [];
const texts = items.map((item) => item.content);
for (const tokenizer of ['o200k_base', 'cl100k_base', 'anthropic'] as const) {
  const counter = tokenCounter(tokenizer);
  let tokens = 0;
  const coldMs = median(Math.min(RUNS, 3), clearTokenMemo, () => {
    tokens = 0;
    for (const text of texts) tokens += counter.count(text);
  });
  const warmMs = median(RUNS, noop, () => {
    for (const text of texts) counter.count(text);
  });
  const row: CountingRow = { tokenizer, tokens, coldMs: round(coldMs), warmMs: round(warmMs) };
  if (tokenizer !== 'anthropic') {
    let encoded = 0;
    row.encodeMs = round(
      time(() => {
        for (const text of texts) encoded += encodeBpe(tokenizer, text).length;
      }),
    );
    if (encoded !== tokens) throw new Error(`memoised count ${tokens} != encode ${encoded} for ${tokenizer}`);
  }
  counting.push(row);
}

interface PruningRow {
  strategy: string;
  kept: number;
  keptTokens: number;
  /** pruneContext end to end (counting every item included), piece memo warm: a worker's steady state. */
  totalWarmMs: number;
  /** The same with the piece memo cleared before each run: a worker's first request. */
  totalColdMs: number;
  /** Ranking and packing only, token counts given. */
  selectionMs: number;
}
const counter = tokenCounter('o200k_base');
const counted = countItems(items, counter);
const pruning: PruningRow[] = PRUNING_STRATEGIES.map((strategy) => {
  const input = { items, budgetTokens: BUDGET, strategy, counter, fixedMessages: FIXED };
  const result = pruneContext(input);
  const budgetForItems = result.budgetForItems;
  return {
    strategy,
    kept: result.kept.length,
    keptTokens: result.keptTokens,
    totalWarmMs: round(median(RUNS, noop, () => pruneContext(input))),
    totalColdMs: round(median(Math.min(RUNS, 3), clearTokenMemo, () => pruneContext(input))),
    selectionMs: round(
      median(RUNS, noop, () => selectContext({ items: counted, budgetForItems, strategy })),
      2,
    ),
  };
});

// --- report ----------------------------------------------------------------------------------------
const machine = machineInfo();
const totalTokens = counting[0]?.tokens ?? 0;
const perSecond = (count: number, ms: number): number => Math.round(count / (ms / 1000));

console.log(machineLine(machine));
console.log(
  `Corpus: ${ITEMS} items (${round(UNICODE_SHARE * 100)}% with typographic punctuation), ${totalTokens} o200k tokens (${round(totalTokens / ITEMS)} per item), budget ${BUDGET}, median of ${RUNS} runs`,
);
console.log(
  `Encoder load: ${Object.entries(loadMs)
    .map(([name, ms]) => `${name} ${ms} ms`)
    .join(', ')}\n`,
);
console.table(
  counting.map((row) => ({
    tokenizer: row.tokenizer,
    tokens: row.tokens,
    'encode ms': row.encodeMs ?? '-',
    'cold ms': row.coldMs,
    'warm ms': row.warmMs,
    'warm tokens/s': perSecond(row.tokens, row.warmMs),
    'warm items/s': perSecond(ITEMS, row.warmMs),
    'cold tokens/s': perSecond(row.tokens, row.coldMs),
  })),
);
console.table(
  pruning.map((row) => ({
    strategy: row.strategy,
    kept: row.kept,
    'kept tokens': row.keptTokens,
    'total warm ms': row.totalWarmMs,
    'total cold ms': row.totalColdMs,
    'selection ms': row.selectionMs,
  })),
);

const report = {
  benchmark: 'tokens',
  date: new Date().toISOString(),
  command: `node --import tsx bench/tokens.ts --items ${ITEMS} --tokens-per-item ${TOKENS_PER_ITEM} --budget ${BUDGET} --runs ${RUNS} --unicode-share ${UNICODE_SHARE}`,
  machine,
  corpus: {
    items: ITEMS,
    tokensPerItemTarget: TOKENS_PER_ITEM,
    o200kTokens: totalTokens,
    wordsPerItem: WORDS_PER_ITEM,
  },
  encoderLoadMs: loadMs,
  counting: counting.map((row) => ({
    ...row,
    warmTokensPerSecond: perSecond(row.tokens, row.warmMs),
    warmItemsPerSecond: perSecond(ITEMS, row.warmMs),
    coldTokensPerSecond: perSecond(row.tokens, row.coldMs),
  })),
  pruning: pruning.map((row) => ({ ...row, budgetTokens: BUDGET, tokenizer: 'o200k_base' })),
};
console.log(`\nWrote ${writeResult('tokens', report.date, report)}`);
