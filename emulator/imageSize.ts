/**
 * Reads an image's format and pixel size from its first bytes (PNG, JPEG, GIF, WebP), the way a
 * provider must before it can count the image's tokens. No decoding of pixels; undefined when the
 * bytes are not one of these formats or are cut short.
 */
export interface ImageHeader {
  mediaType: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';
  width: number;
  height: number;
}

export function readImageHeader(bytes: Buffer): ImageHeader | undefined {
  try {
    return png(bytes) ?? gif(bytes) ?? webp(bytes) ?? jpeg(bytes);
  } catch (error) {
    if (error instanceof RangeError) return undefined; // a truncated header
    throw error;
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function png(b: Buffer): ImageHeader | undefined {
  if (!b.subarray(0, 8).equals(PNG_SIGNATURE) || b.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return sized('image/png', b.readUInt32BE(16), b.readUInt32BE(20));
}

function gif(b: Buffer): ImageHeader | undefined {
  const magic = b.toString('latin1', 0, 6);
  if (magic !== 'GIF87a' && magic !== 'GIF89a') return undefined;
  return sized('image/gif', b.readUInt16LE(6), b.readUInt16LE(8));
}

function webp(b: Buffer): ImageHeader | undefined {
  if (b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WEBP') return undefined;
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') {
    // Lossy: a 3-byte frame tag, the start code 9d 01 2a, then 14-bit width and height.
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
    return sized('image/webp', b.readUInt16LE(26) & 0x3fff, b.readUInt16LE(28) & 0x3fff);
  }
  if (chunk === 'VP8L') {
    // Lossless: signature 0x2f, then width-1 and height-1 as two 14-bit fields.
    if (b[20] !== 0x2f) return undefined;
    const bits = b.readUInt32LE(21);
    return sized('image/webp', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') {
    // Extended: 24-bit canvas width-1 and height-1 after 4 bytes of flags.
    return sized('image/webp', b.readUIntLE(24, 3) + 1, b.readUIntLE(27, 3) + 1);
  }
  return undefined;
}

/** Start-of-frame markers (baseline, progressive, lossless…), which carry the frame size. */
const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpeg(b: Buffer): ImageHeader | undefined {
  if (b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return undefined;
    const marker = b.readUInt8(at + 1);
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    if (SOF_MARKERS.has(marker)) return sized('image/jpeg', b.readUInt16BE(at + 7), b.readUInt16BE(at + 5));
    if (marker === 0xd9 || marker === 0xda) return undefined; // image data before any frame header
    at += 2 + b.readUInt16BE(at + 2);
  }
  return undefined;
}

function sized(mediaType: ImageHeader['mediaType'], width: number, height: number): ImageHeader | undefined {
  return width > 0 && height > 0 ? { mediaType, width, height } : undefined;
}
