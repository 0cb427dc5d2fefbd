// Claim check: a payload whose data is larger than the threshold is written to a blob store under the
// sha256 of its bytes, and history keeps only a small reference ({ sha256, size }), so large contexts
// never reach Temporal's payload limits (2 MB per payload by default). Decoding fetches the blob and
// checks its hash, so a reference can only ever resolve to the bytes it was made from.
import { createHash } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { BlobStore } from '../core/blobs/store.js';
import { metadataText, packPayload, textBytes, unpackPayload } from './envelope.js';

export type { BlobStore } from '../core/blobs/store.js';

export const CLAIM_CHECK_ENCODING = 'binary/claim-check';
export const DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES = 128 * 1024;

/** What history holds instead of a claimed payload (the payload's data, as JSON). */
export interface ClaimReference {
  sha256: string;
  /** Size of the stored blob in bytes. */
  size: number;
  store: string;
}

export class ClaimCheckCodec implements PayloadCodec {
  constructor(
    private readonly store: BlobStore,
    /** Payloads whose data is larger than this many bytes are claimed. */
    readonly thresholdBytes: number = DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES,
  ) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((p) => this.claim(p)));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((p) => this.redeem(p)));
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  private async claim(payload: Payload): Promise<Payload> {
    if ((payload.data?.byteLength ?? 0) <= this.thresholdBytes) return payload;
    const bytes = packPayload(payload);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await this.store.put(sha256, bytes);
    const reference: ClaimReference = { sha256, size: bytes.byteLength, store: this.store.name };
    return {
      metadata: { encoding: textBytes(CLAIM_CHECK_ENCODING) },
      data: textBytes(JSON.stringify(reference)),
    };
  }

  private async redeem(payload: Payload): Promise<Payload> {
    if (metadataText(payload, 'encoding') !== CLAIM_CHECK_ENCODING) return payload;
    const reference = JSON.parse(Buffer.from(payload.data ?? new Uint8Array()).toString()) as ClaimReference;
    const bytes = await this.store.get(reference.sha256);
    if (!bytes)
      throw new Error(
        `claim ${reference.sha256} (${reference.size} bytes, written to ${reference.store}) is not in ${this.store.name}: point CLAIM_CHECK_DIR / REDIS_URL at the store the writer used`,
      );
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== reference.sha256)
      throw new Error(
        `claim ${reference.sha256} in ${this.store.name} is corrupt: its bytes hash to ${actual}`,
      );
    return unpackPayload(bytes);
  }
}
