// The text form of context items as the model sees it. Pruning counts tokens on exactly this text,
// so what is counted is what is sent.
import { withAppendedText } from '../../common/messages.js';
import type { ChatMessage, ContextItem } from '../../common/request.js';

/** Between sections, and between the user's message and the first section. */
export const CONTEXT_SEPARATOR = '\n\n';

/** `[source • id]` and a newline: the header lets the model cite where a fact came from. */
export function renderSectionHeader(item: ContextItem): string {
  return item.source ? `[${item.source} • ${item.id}]\n` : `[${item.id}]\n`;
}

/** The header, then the content. */
export function renderContextSection(item: ContextItem): string {
  return `${renderSectionHeader(item)}${item.content}`;
}

/** The kept items as one block, in the order given (pruneContext returns them chronologically). */
export function renderContextBlock(items: readonly ContextItem[]): string {
  return items.map(renderContextSection).join(CONTEXT_SEPARATOR);
}

/**
 * The messages with the context block appended to the last user message (a new user message when
 * there is none). No items: the messages unchanged. Messages are never dropped or reordered, so a
 * tool call and its result always stay together; only context items are pruned.
 */
export function appendContext(
  messages: readonly ChatMessage[],
  items: readonly ContextItem[],
): ChatMessage[] {
  const result = messages.map((message) => ({ ...message }));
  if (items.length === 0) return result;
  const block = renderContextBlock(items);
  const last = result.findLastIndex((message) => message.role === 'user');
  const target = result[last];
  if (target) result[last] = withAppendedText(target, `${CONTEXT_SEPARATOR}${block}`);
  else result.push({ role: 'user', content: block });
  return result;
}
