// Exact BPE token counts for OpenAI's public encodings, fast enough to count tens of thousands of
// context items per request.
//
// js-tiktoken is pure JS: building an encoder parses the whole rank table (about 0.5-1.2 s for
// o200k_base), and `encode` looks every regex piece up by a comma-joined byte string. So the encoder
// is built lazily, once per process and encoding, and counts are memoised per regex *piece* rather
// than per text: natural language and code reuse the same pieces (" the", "const", " =") endlessly,
// so after a warm-up almost every piece is a Map hit. Splitting with the encoding's own pattern and
// summing per-piece counts gives exactly `encode(text).length`, because tiktoken itself encodes each
// piece independently (test/context-tokens.test.ts checks the equality on a varied corpus).
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';
import cl100kBase from 'js-tiktoken/ranks/cl100k_base';
import o200kBase from 'js-tiktoken/ranks/o200k_base';

export type BpeEncoding = 'o200k_base' | 'cl100k_base';

const RANKS: Record<BpeEncoding, TiktokenBPE> = { o200k_base: o200kBase, cl100k_base: cl100kBase };

/** Pieces longer than this are counted directly: they rarely repeat and would bloat the memo. */
const MAX_MEMO_PIECE_LENGTH = 64;
/** Distinct pieces kept per encoding before the memo starts over (a few MB at most). */
const MAX_MEMO_ENTRIES = 200_000;

interface LoadedEncoding {
  tiktoken: Tiktoken;
  pattern: RegExp;
  memo: Map<string, number>;
}

const loaded = new Map<BpeEncoding, LoadedEncoding>();

function load(name: BpeEncoding): LoadedEncoding {
  let encoding = loaded.get(name);
  if (!encoding) {
    const ranks = RANKS[name];
    encoding = { tiktoken: new Tiktoken(ranks), pattern: new RegExp(ranks.pat_str, 'gu'), memo: new Map() };
    loaded.set(name, encoding);
  }
  return encoding;
}

/**
 * Token count of one regex piece. Special-token text such as `<|endoftext|>` is counted as plain
 * text (neither allowed nor disallowed): context items are data, and must not make counting throw.
 */
/**
 * BPE merging is quadratic in a piece's length, so a long unbroken run (a 2,500-letter "word")
 * would freeze the worker's thread for seconds. Count it in slices instead: each slice costs at most
 * about one token more than exact, so the count stays an upper bound, which is the safe side for pruning.
 */
function countLongPiece(encoding: LoadedEncoding, piece: string): number {
  let total = 0;
  for (let start = 0; start < piece.length; ) {
    let end = Math.min(piece.length, start + MAX_MEMO_PIECE_LENGTH);
    const last = piece.charCodeAt(end - 1);
    if (end < piece.length && last >= 0xd800 && last <= 0xdbff) end -= 1; // keep surrogate pairs whole
    total += countPiece(encoding, piece.slice(start, end));
    start = end;
  }
  return total;
}

/** Longer pieces are counted in slices (see countLongPiece); shorter ones exactly. */
export const MAX_EXACT_PIECE_LENGTH = 256;

function countPiece(encoding: LoadedEncoding, piece: string): number {
  if (piece.length > MAX_EXACT_PIECE_LENGTH) return countLongPiece(encoding, piece);
  if (piece.length > MAX_MEMO_PIECE_LENGTH) return encoding.tiktoken.encode(piece, [], []).length;
  let count = encoding.memo.get(piece);
  if (count === undefined) {
    count = encoding.tiktoken.encode(piece, [], []).length;
    if (encoding.memo.size >= MAX_MEMO_ENTRIES) encoding.memo.clear();
    encoding.memo.set(piece, count);
  }
  return count;
}

/** Exact number of tokens `text` encodes to under `name`, as tiktoken would count it. */
export function countBpeTokens(name: BpeEncoding, text: string): number {
  if (text.length === 0) return 0;
  const encoding = load(name);
  // A private RegExp per encoding is safe to reuse: counting is synchronous, and lastIndex is reset.
  const pattern = encoding.pattern;
  pattern.lastIndex = 0;
  let total = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const piece = match[0];
    // tiktoken's patterns never match the empty string; the guard only rules out an endless loop.
    if (piece.length === 0) pattern.lastIndex++;
    else total += countPiece(encoding, piece);
  }
  return total;
}

/** The raw token ids, for tests and for callers that need more than a count. */
export function encodeBpe(name: BpeEncoding, text: string): number[] {
  return load(name).tiktoken.encode(text, [], []);
}

/** Builds the encoder now instead of on the first count (worker start-up, benchmarks). */
export function loadEncoding(name: BpeEncoding): void {
  load(name);
}

/** Forgets memoised piece counts (benchmarks measure cold counting with it). */
export function clearTokenMemo(): void {
  for (const encoding of loaded.values()) encoding.memo.clear();
}
