/**
 * What an image costs in prompt tokens, by each provider's documented rule, and the size assumed for
 * an image the emulator cannot see (a plain URL: it never fetches anything).
 */

/** Assumed size of a URL image: a common screenshot/photo size, documented in the README. */
export const DEFAULT_IMAGE_SIZE = { width: 1024, height: 1024 } as const;

/**
 * OpenAI (GPT-4o family): 'low' is a flat 85 tokens. 'high' and 'auto' fit the image within
 * 2048x2048, then scale it down so its shortest side is at most 768px, and charge 170 per 512px tile
 * plus 85. (The emulator treats 'auto' as 'high', the documented worst case.)
 */
export function openaiImageTokens(width: number, height: number, detail: 'low' | 'high' | 'auto'): number {
  if (detail === 'low') return 85;
  let w = width;
  let h = height;
  const fit = Math.min(1, 2048 / Math.max(w, h));
  w *= fit;
  h *= fit;
  const shrink = Math.min(1, 768 / Math.min(w, h));
  w = Math.round(w * shrink);
  h = Math.round(h * shrink);
  return 170 * Math.ceil(w / 512) * Math.ceil(h / 512) + 85;
}

/**
 * Anthropic: tokens ≈ width * height / 750, after the documented downscale of images whose long edge
 * is over 1568px or which would cost more than about 1600 tokens (aspect ratio preserved).
 */
export function anthropicImageTokens(width: number, height: number): number {
  const edge = Math.min(1, 1568 / Math.max(width, height));
  const area = Math.min(1, Math.sqrt((1600 * 750) / (width * height)));
  const scale = Math.min(edge, area);
  const w = Math.floor(width * scale);
  const h = Math.floor(height * scale);
  return Math.max(1, Math.ceil((w * h) / 750));
}
