// Blobs as files in a directory, one per sha256, written to a temporary name and renamed into place
// so a reader never sees half a blob even when two workers store it at once. The layout is a
// parameter because two layouts exist on disk: the claim check's flat `<dir>/<sha256>` and the
// pipelines' `<dir>/<first two hex digits>/<sha256>.json`.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type BlobStore, checkedKey } from './store.js';

export interface DirectoryLayout {
  /** One subfolder per first two hex digits, so no folder grows past a few thousand files. */
  fanOut: boolean;
  /** Appended to the file name, e.g. `.json`. */
  suffix: string;
}

/** `<dir>/<sha256>`: the claim check's layout. */
export const FLAT_LAYOUT: DirectoryLayout = { fanOut: false, suffix: '' };

export class DirectoryBlobStore implements BlobStore {
  readonly dir: string;
  readonly name: string;

  constructor(
    dir: string,
    private readonly layout: DirectoryLayout = FLAT_LAYOUT,
  ) {
    this.dir = resolve(dir);
    this.name = `dir:${this.dir}`;
  }

  /** The file a blob lives in. */
  pathOf(sha256: string): string {
    const file = `${checkedKey(sha256)}${this.layout.suffix}`;
    return this.layout.fanOut ? join(this.dir, sha256.slice(0, 2), file) : join(this.dir, file);
  }

  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(sha256);
    // Content-addressed: a blob that exists already holds these very bytes.
    if (await exists(path)) return;
    await mkdir(dirname(path), { recursive: true });
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

  async close(): Promise<void> {}
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
