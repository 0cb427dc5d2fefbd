// Load through the HTTP API as a service sends it: POST /v1/requests?wait=true with an API key and
// its own request id, `concurrency` at a time. A request the API could not answer (a 5xx or a broken
// connection while the Temporal server restarts) is sent again with the same request id, which joins
// the run already started instead of starting another: the retries are counted, never the requests.
import type { LlmResult } from '../../../common/request.js';

export interface HttpRecord {
  requestId: string;
  status: 'completed' | 'failed' | 'unanswered';
  /** Sends after the first: answers that were 5xx or a broken connection. */
  resent: number;
  finishedAtMs: number;
  result?: LlmResult;
  error?: string;
}

export interface HttpLoadOptions {
  apiUrl: string;
  apiKey: string;
  ids: string[];
  concurrency: number;
  /** Give up on a request (counted unanswered) after this many sends. */
  maxSends?: number;
  onSettled?: (record: HttpRecord, settled: number) => void;
}

async function send(options: HttpLoadOptions, requestId: string, index: number): Promise<HttpRecord> {
  const maxSends = options.maxSends ?? 8;
  let lastError = '';
  for (let sends = 1; sends <= maxSends; sends++) {
    try {
      const response = await fetch(`${options.apiUrl}/v1/requests?wait=true`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          requestId,
          taskType: 'general_qa',
          templateId: 'general_qa',
          variables: { question: `Question ${index}: what survives a worker kill and a server restart?` },
          model: 'gpt-4o-mini',
          cache: 'off',
        }),
      });
      const body = (await response.json()) as {
        status?: string;
        result?: LlmResult;
        error?: { message?: string };
      };
      if (response.status < 500) {
        const completed = response.ok && body.status === 'completed';
        return {
          requestId,
          status: completed ? 'completed' : 'failed',
          resent: sends - 1,
          finishedAtMs: Date.now(),
          ...(body.result ? { result: body.result } : {}),
          ...(completed ? {} : { error: `${response.status} ${JSON.stringify(body.error ?? body)}` }),
        };
      }
      lastError = `${response.status} ${body.error?.message ?? ''}`;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(500 * sends, 3000)));
  }
  return {
    requestId,
    status: 'unanswered',
    resent: maxSends - 1,
    finishedAtMs: Date.now(),
    error: lastError,
  };
}

export async function runHttpLoad(
  options: HttpLoadOptions,
): Promise<{ records: HttpRecord[]; wallMs: number }> {
  const records: HttpRecord[] = new Array(options.ids.length);
  let next = 0;
  let settled = 0;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    while (next < options.ids.length) {
      const index = next++;
      const record = await send(options, options.ids[index] ?? '', index);
      records[index] = record;
      options.onSettled?.(record, ++settled);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.ids.length) }, lane));
  return { records, wallMs: performance.now() - started };
}
