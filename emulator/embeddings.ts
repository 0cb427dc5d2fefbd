import { createHash } from 'node:crypto';

export const DEFAULT_EMBEDDING_DIMENSIONS = 256;

/**
 * A unit vector derived from hashes of the text's words (plus the whole text), so equal texts get equal
 * vectors and texts sharing words point in similar directions, which keeps similarity searches meaningful.
 */
export function embedText(text: string, dimensions = DEFAULT_EMBEDDING_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const word of words) addFeature(vector, `word:${word}`, 1);
  addFeature(vector, `text:${text}`, words.length === 0 ? 1 : 0.25);
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  if (norm === 0) return vector.map((_, i) => (i === 0 ? 1 : 0)); // features cancelled out exactly
  return vector.map((x) => x / norm);
}

/** Spreads one feature over eight signed coordinates chosen by its hash. */
function addFeature(vector: number[], feature: string, weight: number): void {
  const digest = createHash('sha256').update(feature).digest();
  for (let i = 0; i + 3 < digest.length; i += 4) {
    const index = digest.readUInt16BE(i) % vector.length;
    const sign = (digest[i + 2] ?? 0) & 1 ? 1 : -1;
    const magnitude = 0.5 + (digest[i + 3] ?? 0) / 510;
    vector[index] = (vector[index] ?? 0) + sign * magnitude * weight;
  }
}

/** OpenAI's base64 encoding: little-endian float32s. The openai client asks for it by default. */
export function toBase64Float32(vector: readonly number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  vector.forEach((x, i) => {
    buffer.writeFloatLE(x, i * 4);
  });
  return buffer.toString('base64');
}
