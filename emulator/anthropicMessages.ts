// Messages API `messages` into the neutral conversation, with Anthropic's tool-pairing checks.
import { anthropicImageBlock } from './anthropicImage.js';
import {
  type ConversationMessage,
  contentToText,
  type ImageInfo,
  type ToolCallRef,
  type ToolResultRef,
} from './conversation.js';
import { InvalidRequest, isObject, type Json } from './requestFields.js';

/**
 * Reads Messages API `messages`: text, image, tool_use and tool_result blocks. Checks tool pairing as
 * Anthropic does: each tool_result answers a tool_use of the previous (assistant) message, and every
 * tool_use is answered in the next message.
 */
export function parseAnthropicMessages(raw: unknown[]): ConversationMessage[] {
  const messages: ConversationMessage[] = [];
  raw.forEach((m, i) => {
    if (!isObject(m) || (m.role !== 'user' && m.role !== 'assistant')) {
      throw new InvalidRequest(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    }
    const message: ConversationMessage = { role: m.role, text: contentToText(m.content) };
    const blocks = Array.isArray(m.content) ? m.content.filter(isObject) : [];
    const images: ImageInfo[] = [];
    const toolCalls: ToolCallRef[] = [];
    const previous = messages[i - 1]?.toolCalls ?? [];
    const toolResults: ToolResultRef[] = [];
    blocks.forEach((block, j) => {
      const path = `messages.${i}.content.${j}`;
      if (block.type === 'image') images.push(anthropicImageBlock(block, path));
      if (block.type === 'tool_use' && m.role === 'assistant') toolCalls.push(toolUse(block, path));
      if (block.type === 'tool_result') {
        toolResults.push(toolResult(block, path, previous));
        images.push(...resultImages(block, path));
      }
    });
    const unanswered = previous.filter((c) => !toolResults.some((r) => r.id === c.id));
    if (unanswered.length > 0) {
      throw new InvalidRequest(
        `messages.${i - 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ` +
          `${unanswered.map((c) => c.id).join(', ')}. Each \`tool_use\` block must have a corresponding ` +
          '`tool_result` block in the next message.',
      );
    }
    if (images.length > 0) message.images = images;
    if (toolCalls.length > 0) message.toolCalls = toolCalls;
    if (toolResults.length > 0) message.toolResults = toolResults;
    messages.push(message);
  });
  return messages;
}

function toolUse(block: Json, path: string): ToolCallRef {
  if (typeof block.id !== 'string') throw new InvalidRequest(`${path}.tool_use.id: Field required`);
  if (typeof block.name !== 'string') throw new InvalidRequest(`${path}.tool_use.name: Field required`);
  return { id: block.id, name: block.name };
}

function toolResult(block: Json, path: string, previous: ToolCallRef[]): ToolResultRef {
  const id = block.tool_use_id;
  if (typeof id !== 'string') throw new InvalidRequest(`${path}.tool_result.tool_use_id: Field required`);
  const call = previous.find((c) => c.id === id);
  if (!call) {
    throw new InvalidRequest(
      `${path}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. ` +
        'Each `tool_result` block must have a corresponding `tool_use` block in the previous message.',
    );
  }
  return {
    id,
    name: call.name,
    content: contentToText(block.content ?? ''),
    isError: block.is_error === true,
  };
}

function resultImages(block: Json, path: string): ImageInfo[] {
  if (!Array.isArray(block.content)) return [];
  return block.content.flatMap((inner, k) =>
    isObject(inner) && inner.type === 'image' ? [anthropicImageBlock(inner, `${path}.content.${k}`)] : [],
  );
}
