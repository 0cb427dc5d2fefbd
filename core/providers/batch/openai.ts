// OpenAI's Batch API through the official client: upload the JSONL input file (purpose=batch), create
// the batch on /v1/chat/completions with a 24h window, poll its status, read the output file (answers)
// and the error file (refused, expired and cancelled lines). Each line's body is the very body an
// ordinary call would send.
import OpenAI, { toFile } from 'openai';
import type { BatchProgress } from '../../../common/batches.js';
import type { ErrorDetails } from '../../../common/errors.js';
import { fromSdkError } from '../errors.js';
import { chatCompletionBody, fromCompletion, openaiClient, readOpenAiError } from '../openai.js';
import type { Endpoint } from '../types.js';
import type { BatchAdapter, BatchLine, BatchLineResult, Submission } from './types.js';

const ENDPOINT = '/v1/chat/completions';
/** The batch metadata key that names our submission (metadata values hold up to 512 characters). */
const SUBMISSION_KEY = 'llm_submission';
const ENDED = new Set(['completed', 'failed', 'expired', 'cancelled']);

interface OutputLine {
  custom_id: string;
  response: { status_code: number; body: unknown } | null;
  error: { code?: string; message?: string } | null;
}

/** A line's outcome from its output or error file entry. */
function readLine(line: OutputLine): BatchLineResult {
  const { custom_id: customId, response, error } = line;
  if (response && response.status_code === 200)
    return { customId, ok: true, response: fromCompletion(response.body as OpenAI.ChatCompletion) };
  if (error?.code === 'batch_expired')
    return {
      customId,
      ok: false,
      reason: 'expired',
      errorType: 'BatchItemExpired',
      message: error.message ?? 'expired',
    };
  if (error?.code === 'batch_cancelled')
    return {
      customId,
      ok: false,
      reason: 'canceled',
      errorType: 'BatchItemCanceled',
      message: error.message ?? 'cancelled',
    };
  const body = (response?.body ?? {}) as { error?: { message?: string; type?: string } };
  return {
    customId,
    ok: false,
    reason: 'errored',
    errorType: body.error?.type ?? error?.code ?? 'BatchItemErrored',
    message: `HTTP ${response?.status_code ?? '-'}: ${body.error?.message ?? error?.message ?? 'no answer'}`,
  };
}

export class OpenAIBatches implements BatchAdapter {
  private readonly client: OpenAI;

  constructor(private readonly endpoint: Endpoint) {
    this.client = openaiClient(endpoint, 120_000);
  }

  async submit(lines: BatchLine[], { key, retried, checkpoint, save }: Submission): Promise<string> {
    return this.call(async () => {
      // A try killed after the batch was made but before it said so: that batch is this submission's.
      if (retried) {
        const page = await this.client.batches.list({ limit: 100 });
        const made = page.data.find(
          (b) => (b.metadata as Record<string, string> | null)?.[SUBMISSION_KEY] === key,
        );
        if (made) return made.id;
      }
      let fileId = checkpoint.fileId;
      if (!fileId) {
        const jsonl = lines
          .map((l) =>
            JSON.stringify({
              custom_id: l.customId,
              method: 'POST',
              url: ENDPOINT,
              body: chatCompletionBody(l.request),
            }),
          )
          .join('\n');
        const file = await this.client.files.create({
          file: await toFile(Buffer.from(`${jsonl}\n`), 'batch.jsonl', { type: 'application/jsonl' }),
          purpose: 'batch',
        });
        fileId = file.id;
        save({ fileId });
      }
      const batch = await this.client.batches.create({
        input_file_id: fileId,
        endpoint: ENDPOINT,
        completion_window: '24h',
        metadata: { [SUBMISSION_KEY]: key.slice(-512) },
      });
      return batch.id;
    });
  }

  async poll(batchId: string): Promise<BatchProgress> {
    const batch = await this.call(() => this.client.batches.retrieve(batchId));
    const counts = batch.request_counts ?? { total: 0, completed: 0, failed: 0 };
    const ended = ENDED.has(batch.status);
    return {
      status: batch.status,
      ended,
      counts: {
        total: counts.total,
        succeeded: counts.completed,
        failed: counts.failed,
        processing: ended ? 0 : counts.total - counts.completed - counts.failed,
      },
    };
  }

  async results(batchId: string, lines: BatchLine[]): Promise<BatchLineResult[]> {
    const batch = await this.call(() => this.client.batches.retrieve(batchId));
    const read: BatchLineResult[] = [];
    for (const fileId of [batch.output_file_id, batch.error_file_id]) {
      if (!fileId) continue;
      const text = await this.call(async () => (await this.client.files.content(fileId)).text());
      for (const raw of text.split('\n')) if (raw.trim()) read.push(readLine(JSON.parse(raw) as OutputLine));
    }
    // A batch that failed validation has no files: every line is refused with the batch's errors.
    if (batch.status === 'failed') {
      const why = batch.errors?.data?.map((e) => `${e.code}: ${e.message}`).join('; ') ?? 'batch failed';
      const seen = new Set(read.map((r) => r.customId));
      for (const line of lines)
        if (!seen.has(line.customId))
          read.push({
            customId: line.customId,
            ok: false,
            reason: 'errored',
            errorType: 'BatchFailed',
            message: why,
          });
    }
    return read;
  }

  async cancel(batchId: string): Promise<void> {
    await this.call(() => this.client.batches.cancel(batchId));
  }

  /** Runs an SDK call; its errors become ours (rate limits retried, auth not), as for ordinary calls. */
  private async call<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      const details: ErrorDetails = { provider: this.endpoint.name };
      throw fromSdkError(error, details, OpenAI, readOpenAiError, this.endpoint.hints);
    }
  }
}
