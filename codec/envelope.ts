// A whole payload (metadata and data) as one byte string, so a codec can encrypt or store the
// metadata too: the inner encoding (e.g. json/plain) says something about the data and stays hidden.
//
//   [4 bytes: length N of the header, big-endian][N bytes: JSON {metadata key: base64 value}][data]
import type { Payload } from '@temporalio/common';

export function packPayload(payload: Payload): Uint8Array {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {}))
    if (value) metadata[key] = Buffer.from(value).toString('base64');
  const header = Buffer.from(JSON.stringify(metadata));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  return Buffer.concat([length, header, payload.data ?? new Uint8Array()]);
}

export function unpackPayload(bytes: Uint8Array): Payload {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 4) throw new Error('packed payload is truncated: no header length');
  const headerLength = buffer.readUInt32BE(0);
  if (buffer.length < 4 + headerLength) throw new Error('packed payload is truncated: header cut short');
  const parsed = JSON.parse(buffer.subarray(4, 4 + headerLength).toString('utf8')) as Record<string, string>;
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(parsed))
    metadata[key] = new Uint8Array(Buffer.from(value, 'base64'));
  return { metadata, data: Uint8Array.from(buffer.subarray(4 + headerLength)) };
}

/** A metadata value as text (metadata values are bytes on the wire). */
export function metadataText(payload: Payload, key: string): string | undefined {
  const value = payload.metadata?.[key];
  return value ? Buffer.from(value).toString('utf8') : undefined;
}

export const textBytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));
