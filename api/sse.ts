// Server-sent events on a Fastify reply: takes the response over from Fastify, writes events, sends a
// comment now and then so proxies keep the connection open, and tells the route when the client left.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ENTRY_ID_PATTERN } from '../core/streaming/types.js';
import { HttpError } from './errors.js';

export interface SseEvent {
  /** Becomes the client's Last-Event-ID: give the stream entry id, so re-attaching continues after it. */
  id?: string;
  event?: string;
  data: string;
}

const KEEP_ALIVE_MS = 15_000;

export class SseStream {
  private readonly controller = new AbortController();
  private readonly keepAlive: NodeJS.Timeout;

  constructor(private readonly reply: FastifyReply) {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...headersOf(reply),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.flushHeaders();
    raw.on('close', () => this.controller.abort());
    this.keepAlive = setInterval(() => this.comment('keep-alive'), KEEP_ALIVE_MS);
    this.keepAlive.unref();
  }

  /** Aborted when the client disconnects (or the stream is ended). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get closed(): boolean {
    return this.controller.signal.aborted || this.reply.raw.writableEnded;
  }

  send(event: SseEvent): void {
    if (this.closed) return;
    let text = '';
    if (event.id) text += `id: ${event.id}\n`;
    if (event.event) text += `event: ${event.event}\n`;
    // A data field may not contain newlines: each line becomes its own `data:` line.
    for (const line of event.data.split('\n')) text += `data: ${line}\n`;
    this.reply.raw.write(`${text}\n`);
  }

  comment(text: string): void {
    if (!this.closed) this.reply.raw.write(`: ${text}\n\n`);
  }

  end(): void {
    clearInterval(this.keepAlive);
    if (!this.reply.raw.writableEnded) this.reply.raw.end();
    this.controller.abort();
  }
}

/** Takes the reply over as an event stream, runs `write` on it, and always ends it; the reply, for the route to return. */
export async function streamReply(
  reply: FastifyReply,
  write: (sse: SseStream) => Promise<void>,
): Promise<FastifyReply> {
  const sse = new SseStream(reply);
  try {
    await write(sse);
  } finally {
    sse.end();
  }
  return reply;
}

/** Headers hooks already set on the reply (request id and the like), carried over to the raw response. */
function headersOf(reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return headers;
}

/**
 * Where a client re-attaching to a stream resumes: its `Last-Event-ID` header, else `?after=`; `0`
 * or nothing is the stream's start. Anything else that is not a stream entry id is a 400.
 */
export function resumeAfter(
  request: FastifyRequest<{ Querystring: { after?: string } }>,
): string | undefined {
  const header = request.headers['last-event-id'];
  const lastEventId = (Array.isArray(header) ? header[0] : header)?.trim() || request.query.after;
  if (lastEventId && lastEventId !== '0' && !ENTRY_ID_PATTERN.test(lastEventId)) {
    throw new HttpError(
      400,
      'InvalidRequestError',
      `Last-Event-ID "${lastEventId}" is not a stream entry id`,
    );
  }
  return lastEventId;
}
