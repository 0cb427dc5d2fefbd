// Fit context items into what is left of a model's window once the prompt and the reserved answer
// are accounted for. Each strategy ranks items (scoring.ts) and packs greedily; unlike the seed,
// an item that does not fit is skipped rather than ending the packing, so a large low-ranked item
// never keeps smaller ones out.
import { InvalidRequestError } from '../../common/errors.js';
import type { ChatMessage, ContextItem } from '../../common/request.js';
import { CONTEXT_SEPARATOR, renderContextSection, renderSectionHeader } from './render.js';
import { type PruningStrategy, type PruningWeights, resolveWeights, scoreItems } from './scoring.js';
import type { TokenCounter } from './tokens.js';

/**
 * `budget`: ranked below items that used up the room left. `exceeds-budget`: larger than the whole
 * item budget on its own, so no ranking would have kept it (worth splitting or summarising upstream).
 */
export type DropReason = 'budget' | 'exceeds-budget';

export interface DroppedItem {
  id: string;
  tokens: number;
  reason: DropReason;
}

export interface CountedItem {
  item: ContextItem;
  /** Tokens the item costs once rendered into the context block, separator included. */
  tokens: number;
}

export interface SelectInput {
  items: readonly CountedItem[];
  budgetForItems: number;
  strategy: PruningStrategy;
  weights?: Partial<PruningWeights>;
}

export interface Selection {
  /** In the original order. */
  kept: ContextItem[];
  /** In the original order. */
  dropped: DroppedItem[];
  keptTokens: number;
  droppedTokens: number;
  /** Pinned items alone exceed the budget; they were kept anyway. */
  overBudget: boolean;
}

export interface PruneInput {
  items: readonly ContextItem[];
  /**
   * Input tokens the request may use: either the context window together with
   * `reservedOutputTokens`, or `computeBudget(...)` (which already subtracts the output) without it.
   */
  budgetTokens: number;
  strategy: PruningStrategy;
  /** Hybrid strategy only; defaults to relevance 0.7, recency 0.3. */
  weights?: Partial<PruningWeights>;
  counter: TokenCounter;
  /** The system and user messages the context is appended to: they come out of the same budget. */
  fixedMessages?: readonly ChatMessage[];
  reservedOutputTokens?: number;
}

export interface PruneResult extends Selection {
  strategy: PruningStrategy;
  /** What was left for context items after fixed messages and reserved output (never below 0). */
  budgetForItems: number;
  /** Tokens of the fixed messages, chat-format overhead included. */
  fixedTokens: number;
}

/**
 * Pinned items first, then the rest by score (ties: id, then input position, so equal inputs always
 * give equal outputs). O(n log n); the items' token counts are given.
 */
export function selectContext({ items, budgetForItems, strategy, weights }: SelectInput): Selection {
  const scores = scoreItems(
    items.map((counted) => counted.item),
    strategy,
    resolveWeights(weights),
  );
  const keep = new Uint8Array(items.length);
  const reasons: (DropReason | undefined)[] = new Array(items.length);
  let used = 0;
  const candidates: number[] = [];
  items.forEach((counted, index) => {
    if (counted.item.pinned) {
      keep[index] = 1;
      used += counted.tokens;
    } else {
      candidates.push(index);
    }
  });
  const overBudget = used > budgetForItems;

  candidates.sort((a, b) => {
    const byScore = (scores[b] ?? 0) - (scores[a] ?? 0);
    if (byScore !== 0) return byScore;
    const idA = items[a]?.item.id ?? '';
    const idB = items[b]?.item.id ?? '';
    if (idA !== idB) return idA < idB ? -1 : 1;
    return a - b;
  });
  for (const index of candidates) {
    const tokens = items[index]?.tokens ?? 0;
    if (used + tokens <= budgetForItems) {
      keep[index] = 1;
      used += tokens;
    } else {
      reasons[index] = tokens > budgetForItems ? 'exceeds-budget' : 'budget';
    }
  }

  const selection: Selection = { kept: [], dropped: [], keptTokens: 0, droppedTokens: 0, overBudget };
  items.forEach((counted, index) => {
    if (keep[index]) {
      selection.kept.push(counted.item);
      selection.keptTokens += counted.tokens;
    } else {
      selection.dropped.push({
        id: counted.item.id,
        tokens: counted.tokens,
        reason: reasons[index] ?? 'budget',
      });
      selection.droppedTokens += counted.tokens;
    }
  });
  return selection;
}

// The header's last piece is "]\n" plus any following \r, \n or / (both encodings' patterns end
// punctuation pieces that way). Unless the content starts with one of those, no piece spans the
// header and the content, so their counts add up exactly to the section's count.
const SPANS_HEADER = /^[\r\n/]/;

/**
 * Tokens each item costs in the rendered context block (its section plus one separator). Header and
 * content are counted apart because the header's "•" would make V8 store the whole section as a
 * two-byte string, on which the tokenizer's Unicode regex runs about 3x slower.
 */
export function countItems(items: readonly ContextItem[], counter: TokenCounter): CountedItem[] {
  const separatorTokens = counter.count(CONTEXT_SEPARATOR);
  return items.map((item) => {
    const tokens = SPANS_HEADER.test(item.content)
      ? counter.count(renderContextSection(item))
      : counter.count(renderSectionHeader(item)) + counter.count(item.content);
    return { item, tokens: tokens + separatorTokens };
  });
}

function requireTokens(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new InvalidRequestError(`${name} must be a finite number >= 0, got ${value}`);
  }
}

/**
 * Keeps the context items that fit `budgetTokens` once the fixed messages and reserved output are
 * paid for; kept items come back in their original (chronological) order.
 */
export function pruneContext(input: PruneInput): PruneResult {
  const {
    items,
    budgetTokens,
    strategy,
    weights,
    counter,
    fixedMessages = [],
    reservedOutputTokens = 0,
  } = input;
  requireTokens('budgetTokens', budgetTokens);
  requireTokens('reservedOutputTokens', reservedOutputTokens);
  const fixedTokens = counter.countMessages(fixedMessages);
  const available = budgetTokens - fixedTokens - reservedOutputTokens;
  const budgetForItems = Math.max(0, available);
  const selection = selectContext({ items: countItems(items, counter), budgetForItems, strategy, weights });
  return {
    ...selection,
    overBudget: selection.overBudget || available < 0,
    strategy,
    budgetForItems,
    fixedTokens,
  };
}
