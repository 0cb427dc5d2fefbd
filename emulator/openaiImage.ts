// Chat Completions image parts: size from the data URL (or the default for a plain URL), tokens, 400s.
import type { ImageInfo } from './conversation.js';
import { decodeBase64Image, parseDataUrl, urlDigest } from './images.js';
import { DEFAULT_IMAGE_SIZE, openaiImageTokens } from './imageTokens.js';
import { InvalidRequest, isObject, type Json } from './requestFields.js';

/** OpenAI's per-image limit on decoded size. */
export const OPENAI_MAX_IMAGE_BYTES = 20 * 1024 * 1024;

const DETAILS = new Set(['auto', 'low', 'high']);

/**
 * Reads one Chat Completions `image_url` content part (at `path`, e.g. messages[0].content[1]) into
 * the image it counts as; throws the 400 OpenAI sends for a bad one.
 */
export function openaiImagePart(part: Json, path: string): ImageInfo {
  const image = part.image_url;
  if (!isObject(image)) {
    throw new InvalidRequest(
      `Invalid type for '${path}.image_url': expected an object, but got ${typeName(image)} instead.`,
      `${path}.image_url`,
      'invalid_type',
    );
  }
  if (typeof image.url !== 'string') {
    throw new InvalidRequest(
      `Missing required parameter: '${path}.image_url.url'.`,
      `${path}.image_url.url`,
      'missing_required_parameter',
    );
  }
  const detail = image.detail ?? 'auto';
  if (typeof detail !== 'string' || !DETAILS.has(detail)) {
    throw new InvalidRequest(
      `Invalid value: '${String(detail)}'. Supported values are: 'auto', 'low', and 'high'.`,
      `${path}.image_url.detail`,
      'invalid_value',
    );
  }
  const level = detail as 'auto' | 'low' | 'high';
  const dataUrl = parseDataUrl(image.url);
  if (!dataUrl) {
    const { width, height } = DEFAULT_IMAGE_SIZE;
    return {
      source: 'url',
      mediaType: undefined,
      width,
      height,
      sizeKnown: false,
      detail: level,
      tokens: openaiImageTokens(width, height, level),
      digest: urlDigest(image.url),
    };
  }
  const urlParam = `${path}.image_url.url`;
  const decoded = dataUrl.base64
    ? decodeBase64Image(dataUrl.data, OPENAI_MAX_IMAGE_BYTES)
    : { ok: false as const, problem: { kind: 'invalid_base64' as const } };
  if (!decoded.ok) {
    const problem = decoded.problem;
    if (problem.kind === 'unknown_format') {
      throw new InvalidRequest(
        "You uploaded an unsupported image. Please make sure your image has of one the following formats: ['png', 'jpeg', 'gif', 'webp'].",
        undefined,
        'invalid_image_format',
      );
    }
    const got =
      problem.kind === 'too_large'
        ? `an image of ${problem.bytes} bytes, over the ${problem.maxBytes}-byte (20 MB) limit`
        : 'an invalid base64-encoded value';
    throw new InvalidRequest(
      `Invalid image URL: '${urlParam}'. Expected a base64-encoded data URL with an image MIME type ` +
        `(e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got ${got}.`,
      urlParam,
      problem.kind === 'too_large' ? 'image_too_large' : 'invalid_value',
    );
  }
  const { width, height, mediaType } = decoded.header;
  return {
    source: 'base64',
    mediaType,
    width,
    height,
    sizeKnown: true,
    detail: level,
    tokens: openaiImageTokens(width, height, level),
    digest: decoded.digest,
  };
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}
