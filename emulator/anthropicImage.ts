// Messages API image blocks: size from the base64 data (or the default for a URL source), tokens, 400s.
import type { ImageInfo } from './conversation.js';
import { decodeBase64Image, urlDigest } from './images.js';
import { anthropicImageTokens, DEFAULT_IMAGE_SIZE } from './imageTokens.js';
import { InvalidRequest, isObject, type Json } from './requestFields.js';

/** Anthropic's per-image limit on decoded size for the Messages API. */
export const ANTHROPIC_MAX_IMAGE_BYTES = 5 * 1024 * 1024;

const MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/**
 * Reads one `image` content block (at `path`, e.g. messages.0.content.1) into the image it counts as;
 * throws the 400 Anthropic sends for a bad source.
 */
export function anthropicImageBlock(block: Json, path: string): ImageInfo {
  const source = block.source;
  if (!isObject(source)) throw new InvalidRequest(`${path}.image.source: Field required`);
  if (source.type === 'url') {
    if (typeof source.url !== 'string')
      throw new InvalidRequest(`${path}.image.source.url.url: Field required`);
    const { width, height } = DEFAULT_IMAGE_SIZE;
    return image('url', undefined, width, height, false, urlDigest(source.url));
  }
  if (source.type !== 'base64') {
    throw new InvalidRequest(
      `${path}.image.source: Input tag '${String(source.type)}' found using 'type' does not match any of the expected tags: 'base64', 'url'`,
    );
  }
  const mediaType = source.media_type;
  if (typeof mediaType !== 'string' || !MEDIA_TYPES.has(mediaType)) {
    throw new InvalidRequest(
      `${path}.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`,
    );
  }
  if (typeof source.data !== 'string')
    throw new InvalidRequest(`${path}.image.source.base64.data: Field required`);
  const decoded = decodeBase64Image(source.data, ANTHROPIC_MAX_IMAGE_BYTES);
  if (!decoded.ok) {
    const p = decoded.problem;
    if (p.kind === 'invalid_base64')
      throw new InvalidRequest(`${path}.image.source.base64: invalid base64 data`);
    if (p.kind === 'too_large') {
      throw new InvalidRequest(
        `${path}.image.source.base64: image exceeds 5 MB maximum: ${p.bytes} bytes > ${p.maxBytes} bytes`,
      );
    }
    throw new InvalidRequest(`${path}.image.source.base64.data: Could not process image`);
  }
  const header = decoded.header;
  if (header.mediaType !== mediaType) {
    throw new InvalidRequest(
      `${path}.image.source.base64.data: Image does not match the provided media type ${mediaType}`,
    );
  }
  return image('base64', mediaType, header.width, header.height, true, decoded.digest);
}

function image(
  source: ImageInfo['source'],
  mediaType: string | undefined,
  width: number,
  height: number,
  sizeKnown: boolean,
  digest: string,
): ImageInfo {
  const tokens = anthropicImageTokens(width, height);
  return { source, mediaType, width, height, sizeKnown, detail: undefined, tokens, digest };
}
