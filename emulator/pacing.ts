import type { Exchange } from './exchange.js';

const MAX_PIECE_CHARS = 16;

/** Splits a reply into word-ish stream deltas whose concatenation is exactly the reply. */
export function splitDeltas(text: string): string[] {
  const pieces: string[] = [];
  for (const word of text.match(/\S+\s*|\s+/g) ?? []) {
    const chars = Array.from(word); // keeps surrogate pairs whole
    for (let i = 0; i < chars.length; i += MAX_PIECE_CHARS)
      pieces.push(chars.slice(i, i + MAX_PIECE_CHARS).join(''));
  }
  return pieces;
}

/**
 * Emits pieces at the configured token rate (about four characters per token), scheduling against the
 * start time so that timer jitter does not accumulate. Stops early if the client goes away.
 */
export async function emitPaced(
  ex: Exchange,
  pieces: readonly string[],
  tokensPerSecond: number | null,
  emit: (piece: string) => void,
): Promise<void> {
  const start = performance.now();
  let chars = 0;
  for (const piece of pieces) {
    if (ex.aborted) return;
    if (tokensPerSecond) {
      chars += piece.length;
      const due = start + (chars / 4 / tokensPerSecond) * 1000;
      await ex.sleep(due - performance.now());
      if (ex.aborted) return;
    }
    emit(piece);
  }
}

/** Time a non-streamed reply of this size takes to "generate" at the configured rate. */
export function generationMs(outputTokens: number, tokensPerSecond: number | null): number {
  return tokensPerSecond ? (outputTokens / tokensPerSecond) * 1000 : 0;
}
