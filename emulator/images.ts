// Base64 image data and data: URLs, decoded strictly as the providers do.
import { sha256Hex } from './hash.js';
import { type ImageHeader, readImageHeader } from './imageSize.js';

/** Why a base64 image was refused; each dialect words the 400 its provider sends. */
export type ImageProblem =
  | { kind: 'invalid_base64' }
  | { kind: 'too_large'; bytes: number; maxBytes: number }
  | { kind: 'unknown_format' };

export type DecodedImage =
  | { ok: true; header: ImageHeader; digest: string }
  | { ok: false; problem: ImageProblem };

// A single character class, not a repeated group: a group repeated millions of times (a 20 MB image)
// overflows the regex engine's stack.
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes base64 image data strictly (the providers reject sloppy base64) and reads its header. */
export function decodeBase64Image(data: string, maxBytes: number): DecodedImage {
  if (data.length === 0 || data.length % 4 !== 0 || !BASE64_CHARS.test(data))
    return { ok: false, problem: { kind: 'invalid_base64' } };
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > maxBytes) {
    return { ok: false, problem: { kind: 'too_large', bytes: bytes.length, maxBytes } };
  }
  const header = readImageHeader(bytes);
  if (!header) return { ok: false, problem: { kind: 'unknown_format' } };
  return { ok: true, header, digest: sha256Hex(data).slice(0, 16) };
}

/** A `data:` URL split into its media type and base64 payload; undefined for other URLs. */
export function parseDataUrl(url: string): { mediaType: string; base64: boolean; data: string } | undefined {
  const match = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (!match) return undefined;
  const params = (match[2] ?? '').split(';').filter(Boolean);
  return { mediaType: match[1] ?? '', base64: params.includes('base64'), data: match[3] ?? '' };
}

export function urlDigest(url: string): string {
  return sha256Hex(`url:${url}`).slice(0, 16);
}
