// Reply markers: a prompt's way of dictating the emulated reply.
import type { Conversation } from './conversation.js';

/** `[[emulator:reply=…]]` in a prompt dictates the reply: its text, or (if JSON) a tool call's input. */
export const MARKER = /\[\[emulator:reply=([\s\S]*?)\]\]/g;

/** The last reply marker anywhere in the instructions or messages. */
export function findMarker(conv: Conversation): string | undefined {
  let found: string | undefined;
  for (const text of [conv.system, ...conv.messages.map((m) => m.text)]) {
    for (const match of text.matchAll(MARKER)) found = match[1];
  }
  return found;
}

/** The marker as a JSON object, when it is one. */
export function markerObject(marker: string | undefined): Record<string, unknown> | undefined {
  if (marker === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(marker);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
