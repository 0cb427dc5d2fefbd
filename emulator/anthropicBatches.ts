// Anthropic's Message Batches API as documented: POST /v1/messages/batches ({requests: [{custom_id,
// params}]}), GET /v1/messages/batches/{id}, POST .../{id}/cancel, GET .../{id}/results (JSONL of
// {custom_id, result: {type: succeeded|errored|canceled|expired, ...}}), GET /v1/messages/batches.
// processing_status in_progress → (canceling) → ended; request_counts {processing, succeeded,
// errored, canceled, expired}; results_url once ended.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { anthropicError } from './anthropicErrors.js';
import { anthropicAuthError } from './auth.js';
import { type BatchRun, cancelBatch, startBatch } from './batchRunner.js';
import type { BatchLine, LineResult, StoredBatch } from './batchStore.js';
import { isObject } from './requestFields.js';
import type { EmulatorState } from './state.js';

const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const iso = (seconds: number | undefined): string | null =>
  seconds === undefined ? null : new Date(seconds * 1000).toISOString();

function invalid(reply: FastifyReply, status: number, message: string): unknown {
  const type = status === 404 ? 'not_found_error' : 'invalid_request_error';
  reply.code(status);
  return { type: 'error', error: { type, message } };
}

/** The documented MessageBatch object; `origin` is where results_url points (this emulator). */
function batchObject(batch: StoredBatch, origin: string): Record<string, unknown> {
  const count = (kind: LineResult['kind']): number => batch.results.filter((r) => r.kind === kind).length;
  const ended = batch.phase === 'ended';
  return {
    id: batch.id,
    type: 'message_batch',
    processing_status: ended ? 'ended' : batch.cancelRequested ? 'canceling' : 'in_progress',
    request_counts: {
      processing: ended ? 0 : batch.lines.length,
      succeeded: count('succeeded'),
      errored: count('errored'),
      canceled: count('canceled'),
      expired: count('expired'),
    },
    ended_at: iso(batch.times.ended),
    created_at: iso(batch.times.created),
    expires_at: iso(batch.times.expires),
    archived_at: null,
    cancel_initiated_at: iso(batch.times.cancel),
    results_url: ended ? `${origin}/v1/messages/batches/${batch.id}/results` : null,
  };
}

/** One results line, as Anthropic writes them. */
function resultLine(result: LineResult): Record<string, unknown> {
  if (result.kind === 'succeeded')
    return { custom_id: result.customId, result: { type: 'succeeded', message: result.body } };
  if (result.kind === 'errored')
    return { custom_id: result.customId, result: { type: 'errored', error: result.body } };
  return { custom_id: result.customId, result: { type: result.kind } };
}

/** The requests array checked as the API does; the first problem is the 400's message. */
function readRequests(body: unknown): { lines: BatchLine[]; model: string } | string {
  const requests = isObject(body) ? body.requests : undefined;
  if (!Array.isArray(requests) || requests.length === 0)
    return 'requests: Field required (a non-empty array)';
  if (requests.length > 100_000) return 'requests: at most 100,000 requests per batch';
  const lines: BatchLine[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of requests.entries()) {
    if (!isObject(entry) || typeof entry.custom_id !== 'string' || !CUSTOM_ID.test(entry.custom_id))
      return `requests.${index}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`;
    if (seen.has(entry.custom_id)) return `requests.${index}.custom_id: custom_id must be unique in a batch`;
    if (!isObject(entry.params)) return `requests.${index}.params: Field required`;
    seen.add(entry.custom_id);
    lines.push({ customId: entry.custom_id, body: entry.params });
  }
  const model = lines.map((l) => l.body.model).find((m) => typeof m === 'string');
  return { lines, model: typeof model === 'string' ? model : '' };
}

const anthropicRun: BatchRun = {
  path: '/v1/messages',
  refusal: () => ({
    type: 'error',
    error: {
      type: 'invalid_request_error',
      message: 'This request was refused (emulator control failLinesContaining).',
    },
  }),
  finish: () => {},
};

/** Registers the Message Batches routes; lines run against the emulator's own /v1/messages. */
export function registerAnthropicBatches(app: FastifyInstance, state: EmulatorState): void {
  const store = state.batches;
  const origin = (request: FastifyRequest): string => `${request.protocol}://${request.headers.host}`;
  const authorized = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const kind = anthropicAuthError(request.headers, state.keys);
    if (!kind) return true;
    const answer = anthropicError(kind, {});
    reply.code(answer.status).send(answer.body);
    return false;
  };
  const find = (request: FastifyRequest): StoredBatch | undefined => {
    const batch = store.batches.get((request.params as { id: string }).id);
    return batch?.provider === 'anthropic' ? batch : undefined;
  };

  app.post('/v1/messages/batches', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    const read = readRequests(request.body);
    if (typeof read === 'string') return invalid(reply, 400, read);
    const created = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {};
    for (const name of ['x-api-key', 'authorization', 'anthropic-version']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const batch: StoredBatch = {
      id: `msgbatch_${randomBytes(12).toString('hex')}`,
      provider: 'anthropic',
      model: read.model,
      lines: read.lines,
      phase: 'in_progress',
      cancelRequested: false,
      times: { created, in_progress: created, expires: created + 24 * 3600 },
      results: [],
      headers,
    };
    store.batches.set(batch.id, batch);
    startBatch(app, store, batch, anthropicRun);
    return batchObject(batch, origin(request));
  });
  app.get('/v1/messages/batches', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    const data = [...store.batches.values()]
      .filter((b) => b.provider === 'anthropic')
      .reverse()
      .map((b) => batchObject(b, origin(request)));
    return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
  });
  app.get('/v1/messages/batches/:id', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    const batch = find(request);
    return batch ? batchObject(batch, origin(request)) : invalid(reply, 404, 'message batch not found');
  });
  app.post('/v1/messages/batches/:id/cancel', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    const batch = find(request);
    if (!batch) return invalid(reply, 404, 'message batch not found');
    cancelBatch(app, batch, anthropicRun);
    return batchObject(batch, origin(request));
  });
  app.get('/v1/messages/batches/:id/results', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    const batch = find(request);
    if (!batch) return invalid(reply, 404, 'message batch not found');
    if (batch.phase !== 'ended') return invalid(reply, 400, 'Message batch results are not yet available.');
    const jsonl = batch.results.map((r) => `${JSON.stringify(resultLine(r))}\n`).join('');
    return reply.type('application/binary').send(jsonl);
  });
}
