// The activities pipelines use: loading (and checking) a definition, and the blob store that keeps
// large step outputs out of the pipeline's history.
import { ConfigError } from '../common/errors.js';
import { BlobNotFoundError } from '../common/pipelines/errors.js';
import { type BlobPointer, lookup } from '../common/pipelines/expressions.js';
import type { BlobRef, PipelineDefinition } from '../common/pipelines/types.js';
import type { JsonValue } from '../common/request.js';
import { DEFAULT_PIPELINE_BLOB_DIR } from '../config/env.js';
import {
  BLOB_REF_PREFIX,
  type BlobStore,
  getText,
  pipelineBlobDirectory,
  putText,
} from '../core/pipelines/blobs.js';
import {
  checkPipelineDefinition,
  DEFAULT_PIPELINES_DIR,
  describeProblems,
  loadPipelineByName,
} from '../core/pipelines/load.js';

/** A definition by name from the pipelines folder, or one passed inline to be checked. */
export type LoadPipelineInput = { name: string } | { definition: PipelineDefinition };

export interface PeekBlobInput {
  pointer: BlobPointer;
  /** Return the value itself only when its JSON is at most this big. */
  maxBytes: number;
  /** For an array of objects: these fields of each element. */
  fields?: string[];
}

/** What the pipeline may know about a value inside a blob without holding all of it. */
export interface BlobPeek {
  found: boolean;
  /** Why not found. */
  reason?: string;
  /** The value, when it is small enough. */
  value?: JsonValue;
  /** Its length, when it is an array. */
  length?: number;
  /** The requested fields of each element (null where absent). */
  fields?: JsonValue[][];
}

export interface PipelineActivities {
  loadPipeline(input: LoadPipelineInput): Promise<PipelineDefinition>;
  storeBlob(input: { value: JsonValue }): Promise<BlobRef>;
  loadBlob(input: { ref: string }): Promise<JsonValue>;
  peekBlob(input: PeekBlobInput): Promise<BlobPeek>;
}

export interface PipelineActivityDeps {
  /** Default: the project's pipelines/ (the worker passes PIPELINES_DIR's). */
  pipelinesDir?: string;
  /** The backend's pipeline blob store (core/backend.ts); default: the .data/blobs directory. */
  blobs?: BlobStore;
}

export function createPipelineActivities(deps: object & PipelineActivityDeps = {}): PipelineActivities {
  let blobs = deps.blobs;
  const store = (): BlobStore => {
    blobs ??= pipelineBlobDirectory(DEFAULT_PIPELINE_BLOB_DIR);
    return blobs;
  };
  const read = async (ref: string): Promise<JsonValue> => {
    if (!ref.startsWith(BLOB_REF_PREFIX))
      throw new BlobNotFoundError(`"${ref}" is not a blob reference (blob:<sha256>)`);
    const text = await getText(store(), ref.slice(BLOB_REF_PREFIX.length));
    if (text === undefined) {
      throw new BlobNotFoundError(
        `${ref} is not in the blob store: it expired or was written to another store (PIPELINE_BLOB_DIR / REDIS_URL)`,
        { details: { ref } },
      );
    }
    return JSON.parse(text) as JsonValue;
  };

  return {
    async loadPipeline(input) {
      if ('name' in input) return loadPipelineByName(deps.pipelinesDir ?? DEFAULT_PIPELINES_DIR, input.name);
      const checked = checkPipelineDefinition(input.definition);
      if (checked.ok) return checked.definition;
      throw new ConfigError(describeProblems('the pipeline definition', checked.problems), {
        details: { problems: checked.problems },
      });
    },

    async storeBlob({ value }) {
      const key = await putText(store(), JSON.stringify(value));
      return { $ref: `${BLOB_REF_PREFIX}${key}` };
    },

    loadBlob: ({ ref }) => read(ref),

    async peekBlob({ pointer, maxBytes, fields }) {
      const found = lookup(await read(pointer.$ref), pointer.$path ?? []);
      if (!found.found) return { found: false, reason: found.reason };
      const { value } = found;
      const peek: BlobPeek = { found: true };
      if (Buffer.byteLength(JSON.stringify(value)) <= maxBytes) peek.value = value;
      if (Array.isArray(value)) {
        peek.length = value.length;
        if (fields) {
          peek.fields = value.map((element) =>
            fields.map((f) =>
              element !== null && typeof element === 'object' && !Array.isArray(element)
                ? (element[f] ?? null)
                : null,
            ),
          );
        }
      }
      return peek;
    },
  };
}
