// Whether the worker's heap holds the provider calls it lets in at once. Each call in flight keeps
// about 80 KiB of heap (the SDK's activity pipeline, its HTTP connection, our call's state; measured
// with heap snapshots at 1,500 in flight: bench/README.md). Past the heap limit the process dies
// ("JavaScript heap out of memory") and every call in flight is retried, so say so at start.
import { getHeapStatistics } from 'node:v8';

/** Heap one provider call in flight holds, measured (bench/README.md, "Memory per call in flight"). */
export const HEAP_BYTES_PER_CALL = 80 * 1024;
/** What the worker holds before any call: bundle, templates, tokenizer tables (measured ~226 MB). */
export const HEAP_BYTES_AT_IDLE = 230 * 1024 * 1024;

const MiB = 1024 * 1024;

/** A warning when `slots` calls at once would not fit in `heapLimitBytes`; undefined when they fit. */
export function heapWarning(
  slots: number,
  heapLimitBytes = getHeapStatistics().heap_size_limit,
): string | undefined {
  const needed = HEAP_BYTES_AT_IDLE + slots * HEAP_BYTES_PER_CALL;
  if (needed <= heapLimitBytes) return undefined;
  const fits = Math.max(0, Math.floor((heapLimitBytes - HEAP_BYTES_AT_IDLE) / HEAP_BYTES_PER_CALL));
  return (
    `WORKER_MAX_CONCURRENT_ACTIVITIES=${slots} may not fit this worker's ${Math.round(heapLimitBytes / MiB)} MiB heap: ` +
    `each provider call in flight holds about ${HEAP_BYTES_PER_CALL / 1024} KiB, so about ${fits} fit; ` +
    `raise --max-old-space-size (NODE_OPTIONS) to ${Math.ceil(needed / MiB)} or more, or lower the slots`
  );
}
