// Runs an emulated batch through its states on timers: validating → in_progress → (finalizing) →
// ended. Each line is answered by the emulator's own synchronous endpoint (an in-process request), so
// a batch item reads exactly like the direct call would; the controls fail lines or expire a batch.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { BatchLine, BatchStore, LineResult, StoredBatch } from './batchStore.js';

export interface BatchRun {
  /** The synchronous endpoint each line goes to. */
  path: '/v1/chat/completions' | '/v1/messages';
  /** The answer for a line the controls refuse: the provider's 400 body. */
  refusal(line: BatchLine): unknown;
  /** Writes the provider's result files once every line has an outcome. */
  finish(batch: StoredBatch): void;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Timers that must never keep the process alive on their own. */
function later(ms: number, action: () => void): void {
  setTimeout(action, ms).unref();
}

/** Starts the batch's clock; it ends `processingMs` after creation (sooner when cancelled, later when held). */
export function startBatch(app: FastifyInstance, store: BatchStore, batch: StoredBatch, run: BatchRun): void {
  const { processingMs } = store.controls;
  const expire = store.controls.expireModels.includes(batch.model);
  const failing = [...store.controls.failLinesContaining];
  later(Math.min(10, processingMs / 10), () => {
    if (batch.phase !== 'validating') return;
    batch.phase = 'in_progress';
    batch.times.in_progress = nowSeconds();
  });
  later(processingMs, () => {
    store.end(() => void process(app, batch, run, { expire, failing }));
  });
}

/** Asks a running batch to stop: lines not yet answered end as cancelled. */
export function cancelBatch(app: FastifyInstance, batch: StoredBatch, run: BatchRun): void {
  if (batch.phase === 'ended' || batch.cancelRequested) return;
  batch.cancelRequested = true;
  batch.times.cancel = nowSeconds();
  later(20, () => {
    void process(app, batch, run, { expire: false, failing: [] });
  });
}

async function process(
  app: FastifyInstance,
  batch: StoredBatch,
  run: BatchRun,
  how: { expire: boolean; failing: string[] },
): Promise<void> {
  // Runs once: the first of the end timer and a cancellation takes the batch.
  if (batch.phase === 'finalizing' || batch.phase === 'ended') return;
  batch.phase = 'in_progress';
  batch.times.in_progress ??= nowSeconds();
  const results: LineResult[] = [];
  for (const line of batch.lines) {
    if (batch.cancelRequested) results.push({ customId: line.customId, kind: 'canceled' });
    else if (how.expire) results.push({ customId: line.customId, kind: 'expired' });
    else results.push(await answer(app, batch, line, run, how.failing));
  }
  batch.results = results;
  batch.phase = 'finalizing';
  batch.times.finalizing = nowSeconds();
  batch.ending = batch.cancelRequested ? 'cancelled' : how.expire ? 'expired' : 'completed';
  run.finish(batch);
  batch.phase = 'ended';
  batch.times.ended = nowSeconds();
}

async function answer(
  app: FastifyInstance,
  batch: StoredBatch,
  line: BatchLine,
  run: BatchRun,
  failing: string[],
): Promise<LineResult> {
  const requestId = `req_${randomBytes(12).toString('hex')}`;
  const text = JSON.stringify(line.body);
  if (failing.some((needle) => text.includes(needle)))
    return { customId: line.customId, kind: 'errored', status: 400, requestId, body: run.refusal(line) };
  const reply = await app.inject({
    method: 'POST',
    url: run.path,
    headers: { ...batch.headers, 'content-type': 'application/json' },
    payload: { ...line.body, stream: false },
  });
  const body: unknown = reply.json();
  const kind = reply.statusCode === 200 ? 'succeeded' : 'errored';
  return { customId: line.customId, kind, status: reply.statusCode, requestId, body };
}
