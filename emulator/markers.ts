// Reply markers: a prompt's way of dictating the emulated reply.
import { type Conversation, trailingToolResults } from './conversation.js';

/** `[[emulator:reply=…]]` in a prompt dictates the reply: its text, or (if JSON) a tool call's input. */
export const MARKER = /\[\[emulator:reply=([\s\S]*?)\]\]/g;

/**
 * The last reply marker in the instructions or messages. Once the conversation ends with tool
 * results, markers from before the last assistant turn are spent (they dictated that turn's calls),
 * so only the instructions and the messages after it count.
 */
export function findMarker(conv: Conversation): string | undefined {
  const lastAssistant = conv.messages.findLastIndex((m) => m.role === 'assistant');
  const messages =
    trailingToolResults(conv).length > 0 ? conv.messages.slice(lastAssistant + 1) : conv.messages;
  let found: string | undefined;
  for (const text of [conv.system, ...messages.map((m) => m.text)]) {
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
