// Reading messages whose content is text or parts: their text, their images, and what a tool
// conversation must satisfy (every tool result answers a call made before it). Pure.
import type { ChatMessage, ContentPart, ImagePart, ToolCall } from './request.js';

/** The text of a message: its string, or its text parts joined by newlines. */
export function messageText(message: Pick<ChatMessage, 'content'>): string {
  if (typeof message.content === 'string') return message.content;
  return message.content
    .filter((part): part is Extract<ContentPart, { type: 'text' }> => part.type === 'text')
    .map((part) => part.text)
    .join('\n');
}

/** The image parts of a message, in order. */
export function messageImages(message: Pick<ChatMessage, 'content'>): ImagePart[] {
  if (typeof message.content === 'string') return [];
  return message.content.filter((part): part is ImagePart => part.type === 'image');
}

/** Appends text to a message's content, keeping its images. */
export function withAppendedText(message: ChatMessage, text: string): ChatMessage {
  if (typeof message.content === 'string') return { ...message, content: `${message.content}${text}` };
  return { ...message, content: [...message.content, { type: 'text', text }] };
}

/** The text a tool call contributes to a prompt (name and arguments), for counting and caching. */
export function toolCallText(call: Pick<ToolCall, 'name' | 'rawArguments'>): string {
  return `${call.name}(${call.rawArguments})`;
}
