// Claimed payloads as files in a directory, one per sha256. Writes go to a temporary name first and
// are renamed into place, so a reader never sees half a blob.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BlobStore } from './claimCheck.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export class DirectoryBlobStore implements BlobStore {
  readonly dir: string;
  readonly name: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.name = `dir:${this.dir}`;
  }

  /** The file a blob lives in. */
  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a sha256 claim key: ${sha256.slice(0, 80)}`);
    return join(this.dir, sha256);
  }

  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(sha256);
    // Content-addressed: a blob that exists already holds these very bytes.
    if (
      await stat(path).then(
        () => true,
        () => false,
      )
    )
      return;
    await mkdir(this.dir, { recursive: true });
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  }

  async get(sha256: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.pathOf(sha256));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
