// Images as the doors receive them (a URL, a data URL, or base64 with a media type), checked before
// anything starts so a bad image is a 400 naming its field: a known media type, well-formed base64,
// bytes that are an image, and a size both providers and a Temporal payload can carry.
import { MAX_REQUEST_BYTES } from '../../client/validateRequest.js';
import { IMAGE_MEDIA_TYPES, type ImageMediaType, type ImagePart } from '../../common/request.js';
import { MAX_IMAGE_BYTES } from '../../common/requestChecks.js';
import { imageSize } from '../../core/context/images.js';
import { FieldError } from '../errors.js';

export { MAX_IMAGE_BYTES };

// A flat character class: a repeated group overflows the regex stack on a large image.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DATA_URL = /^data:([^;,]*);base64,/;

function isMediaType(value: string): value is ImageMediaType {
  return (IMAGE_MEDIA_TYPES as readonly string[]).includes(value);
}

/** Inline image data, checked; `param` names the field that holds the data. */
export function inlineImageSource(
  param: string,
  mediaType: string,
  data: string,
): { mediaType: ImageMediaType; data: string } {
  if (!isMediaType(mediaType)) {
    throw new FieldError(param, `media type "${mediaType}" is not one of ${IMAGE_MEDIA_TYPES.join(', ')}`);
  }
  if (data.length === 0 || data.length % 4 !== 0 || !BASE64.test(data)) {
    throw new FieldError(param, 'the image data is not valid base64');
  }
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > MAX_IMAGE_BYTES || data.length > MAX_REQUEST_BYTES) {
    throw new FieldError(
      param,
      `the image is ${bytes.length} bytes (${data.length} as base64); at most ${MAX_IMAGE_BYTES} bytes, and ${MAX_REQUEST_BYTES} as base64 in one request, are accepted: send a smaller image or a URL`,
    );
  }
  if (!imageSize(bytes)) throw new FieldError(param, `the data is not a ${mediaType} image`);
  return { mediaType, data };
}

/** An image given by URL: `https:`/`http:` is passed on as it is, a `data:` URL is checked inline data. */
export function imageFromUrl(param: string, url: string, detail?: ImagePart['detail']): ImagePart {
  const inline = DATA_URL.exec(url);
  let source: ImagePart['source'];
  if (inline) {
    source = inlineImageSource(param, inline[1] ?? '', url.slice(inline[0].length));
  } else if (/^https?:\/\/\S+$/i.test(url)) {
    source = { url };
  } else {
    throw new FieldError(param, 'an image URL must be https://… or data:<media type>;base64,…');
  }
  return { type: 'image', source, ...(detail ? { detail } : {}) };
}
