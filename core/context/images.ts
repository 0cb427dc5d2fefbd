// What an image costs in prompt tokens, before it is sent: its size read from the PNG, JPEG, GIF or
// WebP header of inline data, then OpenAI's published tile rule or Anthropic's documented estimate.
// An image given by URL is not fetched (the worker must not download what callers point at), so it
// is counted at a documented default size.
import type { ImagePart } from '../../common/request.js';

export interface ImageSize {
  width: number;
  height: number;
}

/** Assumed for an image by URL: a common photo size, counted the same way as inline data. */
export const URL_IMAGE_DEFAULT_SIZE: ImageSize = { width: 1024, height: 1024 };

/** The width and height in an image file's header, or undefined when the bytes are not one. */
export function imageSize(bytes: Uint8Array): ImageSize | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 24 && bytes[0] === 0x89 && ascii(1, 4) === 'PNG') {
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes.length >= 10 && ascii(0, 4) === 'GIF8') {
    return { width: view.getUint16(6, true), height: view.getUint16(8, true) };
  }
  if (bytes.length >= 30 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return webpSize(bytes, view);
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpegSize(bytes, view);
  return undefined;
}

function webpSize(bytes: Uint8Array, view: DataView): ImageSize | undefined {
  const chunk = String.fromCharCode(...bytes.subarray(12, 16));
  if (chunk === 'VP8X') {
    const w = 1 + (view.getUint16(24, true) | ((bytes[26] ?? 0) << 16));
    const h = 1 + (view.getUint16(27, true) | ((bytes[29] ?? 0) << 16));
    return { width: w, height: h };
  }
  if (chunk === 'VP8L') {
    const b = view.getUint32(21, true);
    return { width: (b & 0x3fff) + 1, height: ((b >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8 ')
    return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  return undefined;
}

/** Walks JPEG segments to the first start-of-frame marker, which holds the size. */
function jpegSize(bytes: Uint8Array, view: DataView): ImageSize | undefined {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1] ?? 0;
    const length = view.getUint16(at + 2);
    const startOfFrame =
      marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (startOfFrame) return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    at += 2 + length;
  }
  return undefined;
}

/** Decodes an inline image's base64 data. */
export function imageBytes(part: ImagePart): Uint8Array | undefined {
  const { source } = part;
  if ('data' in source) return Buffer.from(source.data, 'base64');
  const inline = /^data:[^;,]+;base64,(.*)$/s.exec(source.url);
  return inline?.[1] ? Buffer.from(inline[1], 'base64') : undefined;
}

/** The image's size: from its header when inline, else the URL default. */
export function partImageSize(part: ImagePart): ImageSize {
  const bytes = imageBytes(part);
  return (bytes && imageSize(bytes)) ?? URL_IMAGE_DEFAULT_SIZE;
}

/**
 * OpenAI's rule for GPT-4o-class models: `low` detail is 85 tokens; otherwise the image is scaled
 * to fit 2048×2048, then its shorter side to 768, and costs 170 per 512-pixel tile plus 85.
 */
export function openAiImageTokens(size: ImageSize, detail: ImagePart['detail'] = 'auto'): number {
  if (detail === 'low') return 85;
  let { width, height } = size;
  const fit = Math.min(1, 2048 / Math.max(width, height));
  width *= fit;
  height *= fit;
  const shortSide = Math.min(width, height);
  if (shortSide > 768) {
    width *= 768 / shortSide;
    height *= 768 / shortSide;
  }
  return 85 + 170 * Math.ceil(width / 512) * Math.ceil(height / 512);
}

/** Anthropic's documented estimate: width × height / 750 tokens, after scaling the long side to 1568. */
export function anthropicImageTokens(size: ImageSize): number {
  const fit = Math.min(1, 1568 / Math.max(size.width, size.height));
  return Math.ceil((size.width * fit * (size.height * fit)) / 750);
}
