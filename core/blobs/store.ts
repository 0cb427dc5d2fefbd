// The one content-addressed blob store interface: bytes keyed by the sha256 (hex) of those bytes.
// The codec's claim check and the pipelines' large values both use it, each with its own layout
// (directory.ts, redis.ts), so blobs already stored by either stay where their readers look.
import { createHash } from 'node:crypto';

export interface BlobStore {
  /** Short name for messages and claim references, e.g. `redis` or `dir:/var/claims`. */
  readonly name: string;
  /** Stores the bytes under their sha256; storing the same key twice is harmless. */
  put(sha256: string, bytes: Uint8Array): Promise<void>;
  /** The bytes, or undefined when no blob has that hash. */
  get(sha256: string): Promise<Uint8Array | undefined>;
  /** Releases a connection the store opened itself (never one it was handed). */
  close(): Promise<void>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The key of some content: the sha256 of its bytes (of its UTF-8 encoding for text). */
export function sha256Hex(content: Uint8Array | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Refuses anything but a sha256 in hex, so a key can never name a path outside the store. */
export function checkedKey(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error(`not a sha256 blob key: ${sha256.slice(0, 80)}`);
  return sha256;
}
