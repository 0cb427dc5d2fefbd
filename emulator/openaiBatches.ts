// OpenAI's Files and Batch APIs as documented: POST /v1/files (multipart, purpose=batch), GET
// /v1/files/{id} and /content; POST /v1/batches (input_file_id, endpoint, completion_window), GET
// /v1/batches/{id}, POST /v1/batches/{id}/cancel, GET /v1/batches. Status validating → in_progress →
// finalizing → completed (or failed, expired, cancelling → cancelled); output and error files are
// JSONL lines {id, custom_id, response: {status_code, request_id, body}, error}.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { openaiAuthError } from './auth.js';
import { type BatchRun, cancelBatch, startBatch } from './batchRunner.js';
import type { BatchLine, BatchStore, LineResult, StoredBatch, StoredFile } from './batchStore.js';
import { parseMultipart } from './multipart.js';
import { openaiError } from './openaiErrors.js';
import { isObject } from './requestFields.js';
import type { EmulatorState } from './state.js';

const ENDPOINT = '/v1/chat/completions';
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function fail(reply: FastifyReply, status: number, message: string, param: string | null = null): unknown {
  reply.code(status);
  return { error: { message, type: 'invalid_request_error', param, code: null } };
}

function fileObject(file: StoredFile): Record<string, unknown> {
  return {
    id: file.id,
    object: 'file',
    bytes: file.bytes,
    created_at: file.createdAt,
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed',
    status_details: null,
  };
}

const STATUS: Record<string, string> = { validating: 'validating', in_progress: 'in_progress' };

/** The documented batch object, computed from the stored batch. */
export function batchObject(batch: StoredBatch): Record<string, unknown> {
  const done = batch.results;
  const ended = batch.phase === 'ended';
  const status = ended
    ? batch.ending
    : batch.cancelRequested
      ? 'cancelling'
      : batch.phase === 'finalizing'
        ? 'finalizing'
        : STATUS[batch.phase];
  const t = batch.times;
  return {
    id: batch.id,
    object: 'batch',
    endpoint: batch.openai?.endpoint,
    errors: batch.validationErrors ? { object: 'list', data: batch.validationErrors } : null,
    input_file_id: batch.openai?.inputFileId,
    completion_window: batch.openai?.completionWindow,
    status,
    output_file_id: ended ? (batch.outputFileId ?? null) : null,
    error_file_id: ended ? (batch.errorFileId ?? null) : null,
    created_at: t.created,
    in_progress_at: t.in_progress ?? null,
    expires_at: t.expires,
    finalizing_at: t.finalizing ?? null,
    completed_at: batch.ending === 'completed' ? (t.ended ?? null) : null,
    failed_at: batch.ending === 'failed' ? (t.ended ?? null) : null,
    expired_at: batch.ending === 'expired' ? (t.ended ?? null) : null,
    cancelling_at: t.cancel ?? null,
    cancelled_at: batch.ending === 'cancelled' ? (t.ended ?? null) : null,
    request_counts: {
      total: batch.lines.length,
      completed: done.filter((r) => r.kind === 'succeeded').length,
      failed: done.filter((r) => r.kind !== 'succeeded').length,
    },
    metadata: batch.openai?.metadata ?? null,
  };
}

/** One output or error file line, as OpenAI writes them. */
function resultLine(result: LineResult): Record<string, unknown> {
  const id = `batch_req_${hex(12)}`;
  if (result.kind === 'succeeded' || result.kind === 'errored') {
    return {
      id,
      custom_id: result.customId,
      response: { status_code: result.status, request_id: result.requestId, body: result.body },
      error: null,
    };
  }
  const [code, message] =
    result.kind === 'expired'
      ? ['batch_expired', 'This request could not be executed before the completion window expired.']
      : ['batch_cancelled', 'This request was not executed because the batch was cancelled.'];
  return { id, custom_id: result.customId, response: null, error: { code, message } };
}

function storeFile(store: BatchStore, filename: string, purpose: string, content: Buffer): StoredFile {
  const file: StoredFile = {
    id: `file-${hex(12)}`,
    filename,
    purpose,
    bytes: content.length,
    createdAt: nowSeconds(),
    content,
  };
  store.files.set(file.id, file);
  return file;
}

/** Reads the input file's lines; a line that breaks the documented rules fails the batch, naming it. */
function readLines(content: string): {
  lines: BatchLine[];
  model: string;
  errors: StoredBatch['validationErrors'];
} {
  const lines: BatchLine[] = [];
  const errors: NonNullable<StoredBatch['validationErrors']> = [];
  const seen = new Set<string>();
  let model = '';
  for (const [index, raw] of content.split('\n').entries()) {
    if (!raw.trim()) continue;
    const line = index + 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      errors.push({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', line });
      continue;
    }
    if (!isObject(parsed) || typeof parsed.custom_id !== 'string' || !isObject(parsed.body)) {
      errors.push({
        code: 'invalid_request',
        message: 'Each line needs custom_id, method, url and body.',
        line,
      });
      continue;
    }
    if (parsed.method !== 'POST' || parsed.url !== ENDPOINT) {
      errors.push({
        code: 'invalid_url',
        message: `The URL provided for this request does not match the batch endpoint ${ENDPOINT}.`,
        line,
      });
      continue;
    }
    if (seen.has(parsed.custom_id)) {
      errors.push({
        code: 'duplicate_custom_id',
        message: 'The custom_id for this request is a duplicate of another request.',
        line,
      });
      continue;
    }
    seen.add(parsed.custom_id);
    const lineModel = typeof parsed.body.model === 'string' ? parsed.body.model : '';
    if (model && lineModel !== model) {
      errors.push({
        code: 'mismatched_model',
        message: 'All requests in a batch must use the same model.',
        line,
      });
      continue;
    }
    model = lineModel;
    lines.push({ customId: parsed.custom_id, body: parsed.body });
  }
  if (lines.length === 0 && errors.length === 0)
    errors.push({ code: 'empty_file', message: 'The input file is empty.', line: null });
  return { lines, model, errors: errors.length ? errors : undefined };
}

function openaiRun(store: BatchStore): BatchRun {
  return {
    path: ENDPOINT,
    refusal: () => ({
      error: {
        message: 'This request was refused (emulator control failLinesContaining).',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    }),
    finish: (batch) => {
      const ok = batch.results.filter((r) => r.kind === 'succeeded').map(resultLine);
      const bad = batch.results.filter((r) => r.kind !== 'succeeded').map(resultLine);
      const jsonl = (rows: unknown[]): Buffer =>
        Buffer.from(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
      if (ok.length)
        batch.outputFileId = storeFile(store, `${batch.id}_output.jsonl`, 'batch_output', jsonl(ok)).id;
      if (bad.length)
        batch.errorFileId = storeFile(store, `${batch.id}_error.jsonl`, 'batch_output', jsonl(bad)).id;
    },
  };
}

/** Registers the Files and Batch routes; lines run against the emulator's own chat endpoint. */
export function registerOpenAiBatches(app: FastifyInstance, state: EmulatorState): void {
  const store = state.batches;
  const run = openaiRun(store);
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  const authorized = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const kind = openaiAuthError(request.headers, state.keys);
    if (!kind) return true;
    const answer = openaiError(kind, {});
    reply.code(answer.status).send(answer.body);
    return false;
  };

  app.post('/v1/files', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    let form: ReturnType<typeof parseMultipart>;
    try {
      form = parseMultipart(request.body as Buffer, String(request.headers['content-type']));
    } catch (error) {
      return fail(reply, 400, (error as Error).message);
    }
    if (!form.file) return fail(reply, 400, "Missing required parameter: 'file'.", 'file');
    const purpose = form.fields.purpose;
    if (!purpose) return fail(reply, 400, "Missing required parameter: 'purpose'.", 'purpose');
    return fileObject(storeFile(store, form.file.filename, purpose, form.file.content));
  });
  app.get('/v1/files/:id', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    const file = store.files.get((request.params as { id: string }).id);
    return file ? fileObject(file) : fail(reply, 404, 'No such File object.', 'id');
  });
  app.get('/v1/files/:id/content', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    const file = store.files.get((request.params as { id: string }).id);
    if (!file) return fail(reply, 404, 'No such File object.', 'id');
    return reply.type('application/octet-stream').send(file.content);
  });

  app.post('/v1/batches', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    const body = isObject(request.body) ? request.body : {};
    if (body.endpoint !== ENDPOINT)
      return fail(reply, 400, `endpoint must be ${ENDPOINT} in the emulator`, 'endpoint');
    if (body.completion_window !== '24h')
      return fail(reply, 400, "completion_window must be '24h'.", 'completion_window');
    const file = typeof body.input_file_id === 'string' ? store.files.get(body.input_file_id) : undefined;
    if (!file) return fail(reply, 400, 'No such File object.', 'input_file_id');
    if (file.purpose !== 'batch')
      return fail(reply, 400, "The input file's purpose must be 'batch'.", 'input_file_id');
    const { lines, model, errors } = readLines(file.content.toString('utf8'));
    const created = nowSeconds();
    const batch: StoredBatch = {
      id: `batch_${hex(12)}`,
      provider: 'openai',
      model,
      lines,
      phase: 'validating',
      cancelRequested: false,
      times: { created, expires: created + 24 * 3600 },
      results: [],
      headers: { authorization: String(request.headers.authorization ?? '') },
      openai: {
        inputFileId: file.id,
        endpoint: ENDPOINT,
        completionWindow: '24h',
        metadata: body.metadata ?? null,
      },
    };
    store.batches.set(batch.id, batch);
    if (errors) {
      batch.validationErrors = errors;
      batch.phase = 'ended';
      batch.ending = 'failed';
      batch.times.ended = created;
    } else startBatch(app, store, batch, run);
    return batchObject(batch);
  });
  app.get('/v1/batches', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    const data = [...store.batches.values()]
      .filter((b) => b.provider === 'openai')
      .reverse()
      .map(batchObject);
    return {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: false,
    };
  });
  app.get('/v1/batches/:id', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    const batch = store.batches.get((request.params as { id: string }).id);
    return batch?.provider === 'openai'
      ? batchObject(batch)
      : fail(reply, 404, 'No such Batch object.', 'id');
  });
  app.post('/v1/batches/:id/cancel', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    const batch = store.batches.get((request.params as { id: string }).id);
    if (batch?.provider !== 'openai') return fail(reply, 404, 'No such Batch object.', 'id');
    cancelBatch(app, batch, run);
    return batchObject(batch);
  });
}
