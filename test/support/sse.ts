// Reading a server-sent event stream from a fetch Response, as a browser's EventSource would: each
// message's id, event name and data, comments skipped.
import assert from 'node:assert/strict';

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/** Reads SSE messages from a response until it ends or `stop` says so (then it cancels the body). */
export async function readSse(
  response: Response,
  stop: (messages: SseMessage[]) => boolean = () => false,
): Promise<SseMessage[]> {
  assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
  const messages: SseMessage[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
      const message: SseMessage = { data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(': ');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 2);
        if (field === 'id') message.id = text;
        if (field === 'event') message.event = text;
        if (field === 'data') data.push(text);
      }
      if (data.length === 0 && !message.event) continue;
      message.data = data.join('\n');
      messages.push(message);
      if (stop(messages)) {
        await reader.cancel();
        return messages;
      }
    }
  }
  return messages;
}
