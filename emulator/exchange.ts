import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CallLog, CallRecord, NewCall } from './callLog.js';
import type { ErrorAnswer } from './errorKinds.js';

/**
 * One provider call from arrival to answer. It writes the raw response itself (the reply is hijacked)
 * so that it can stream, hold a connection open, and notice a client that goes away at any point.
 */
export class Exchange {
  readonly record: CallRecord;
  private readonly res: ServerResponse;
  private readonly baseHeaders: OutgoingHttpHeaders;
  private readonly controller = new AbortController();
  private readonly startedAt = performance.now();
  private done = false;

  constructor(request: FastifyRequest, reply: FastifyReply, log: CallLog, call: Omit<NewCall, 'requestId'>) {
    this.baseHeaders = { ...reply.getHeaders() } as OutgoingHttpHeaders;
    reply.hijack();
    this.res = reply.raw;
    this.record = log.begin({ ...call, requestId: String(request.id) });
    if (this.res.destroyed || request.raw.socket.destroyed) this.markAborted();
    // 'close' without a finished write means the connection dropped before our answer was out.
    else this.res.once('close', () => !this.res.writableFinished && this.markAborted());
  }

  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  /** Waits, but returns as soon as the client goes away. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.controller.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      this.controller.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  setTokens(inputTokens: number, outputTokens?: number): void {
    this.record.inputTokens = inputTokens;
    if (outputTokens !== undefined) this.record.outputTokens = outputTokens;
  }

  sendJson(status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (this.aborted || this.done) return;
    const payload = JSON.stringify(body);
    this.res.writeHead(status, {
      ...this.baseHeaders,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      ...headers,
    });
    this.res.end(payload);
    this.finish(status);
  }

  sendError(answer: ErrorAnswer): void {
    this.sendJson(answer.status, answer.body, answer.headers);
  }

  /** Starts a 200 server-sent-events answer. */
  openStream(): void {
    if (this.aborted || this.done) return;
    this.res.writeHead(200, {
      ...this.baseHeaders,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    });
    this.res.flushHeaders();
  }

  /** Writes raw SSE text; a no-op once the client has gone. */
  write(text: string): void {
    if (!this.aborted && !this.done) this.res.write(text);
  }

  endStream(): void {
    if (this.aborted || this.done) return;
    this.res.end();
    this.finish(200);
  }

  /** Drops the connection without an answer (used when the emulator shuts down mid-hold). */
  destroy(): void {
    this.res.destroy();
  }

  private finish(status: number): void {
    this.done = true;
    this.record.status = status;
    this.record.durationMs = this.elapsedMs();
  }

  private markAborted(): void {
    if (this.done) return;
    this.done = true;
    this.record.status = 'aborted';
    this.record.durationMs = this.elapsedMs();
    this.controller.abort();
  }

  private elapsedMs(): number {
    return Math.round((performance.now() - this.startedAt) * 10) / 10;
  }
}
