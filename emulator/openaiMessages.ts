// Chat Completions `messages` into the neutral conversation, with OpenAI's tool-pairing checks.
import { type ConversationMessage, contentToText, type ImageInfo, type ToolCallRef } from './conversation.js';
import { openaiImagePart } from './openaiImage.js';
import { InvalidRequest, isObject, type Json } from './requestFields.js';

export interface OpenAiMessages {
  system: string[];
  messages: ConversationMessage[];
}

const PART_TYPES = new Set(['text', 'image_url', 'input_audio', 'refusal', 'audio', 'file']);

/** An assistant message with tool_calls, and which of its calls the following 'tool' messages answered. */
interface OpenCalls {
  index: number;
  calls: Map<string, string>;
  answered: Set<string>;
}

/**
 * Reads Chat Completions `messages`: text and image parts, assistant tool_calls and 'tool' results.
 * Checks tool pairing as OpenAI does: a 'tool' message must answer a call of the assistant message
 * right before it (other tool messages aside), and every call must be answered.
 */
export function parseOpenAiMessages(raw: unknown[]): OpenAiMessages {
  const system: string[] = [];
  const messages: ConversationMessage[] = [];
  let open: OpenCalls | undefined;
  raw.forEach((m, i) => {
    if (!isObject(m) || typeof m.role !== 'string') {
      throw new InvalidRequest(`Missing required parameter: 'messages[${i}].role'.`, `messages[${i}].role`);
    }
    const images = contentImages(m.content, i);
    const text = messageText(m);
    if (m.role === 'tool') {
      messages.push(toolMessage(m, i, text, open));
      return;
    }
    if (open) checkAnswered(open);
    open = undefined;
    if (m.role === 'system' || m.role === 'developer') {
      system.push(text);
      return;
    }
    const message: ConversationMessage = { role: m.role, text };
    if (images.length > 0) message.images = images;
    if (m.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0) {
      message.toolCalls = m.tool_calls.map((c, k) => toolCallRef(c, i, k));
      open = {
        index: i,
        calls: new Map(message.toolCalls.map((c) => [c.id, c.name])),
        answered: new Set(),
      };
    }
    messages.push(message);
  });
  if (open) checkAnswered(open);
  return { system, messages };
}

function toolMessage(m: Json, i: number, text: string, open: OpenCalls | undefined): ConversationMessage {
  if (!open) {
    throw new InvalidRequest(
      "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
      `messages.[${i}].role`,
    );
  }
  const id = m.tool_call_id;
  if (typeof id !== 'string') {
    throw new InvalidRequest(
      `Missing required parameter: 'messages[${i}].tool_call_id'.`,
      `messages[${i}].tool_call_id`,
      'missing_required_parameter',
    );
  }
  const name = open.calls.get(id);
  if (name === undefined) {
    throw new InvalidRequest(
      `Invalid parameter: 'tool_call_id' of '${id}' not found in 'tool_calls' of previous message.`,
      `messages.[${i}].tool_call_id`,
    );
  }
  open.answered.add(id);
  return { role: 'tool', text, toolResults: [{ id, name, content: text, isError: false }] };
}

function checkAnswered(open: OpenCalls): void {
  const missing = [...open.calls.keys()].filter((id) => !open.answered.has(id));
  if (missing.length === 0) return;
  throw new InvalidRequest(
    "An assistant message with 'tool_calls' must be followed by tool messages responding to each " +
      `'tool_call_id'. The following tool_call_ids did not have response messages: ${missing.join(', ')}`,
    `messages.[${open.index}].role`,
  );
}

function toolCallRef(call: unknown, i: number, k: number): ToolCallRef {
  const path = `messages[${i}].tool_calls[${k}]`;
  const fn = isObject(call) ? call.function : undefined;
  if (!isObject(call) || typeof call.id !== 'string') {
    throw new InvalidRequest(
      `Missing required parameter: '${path}.id'.`,
      `${path}.id`,
      'missing_required_parameter',
    );
  }
  if (!isObject(fn) || typeof fn.name !== 'string') {
    throw new InvalidRequest(
      `Missing required parameter: '${path}.function.name'.`,
      `${path}.function.name`,
      'missing_required_parameter',
    );
  }
  return { id: call.id, name: fn.name };
}

/** The images among a message's content parts, checking each part's type on the way. */
function contentImages(content: unknown, i: number): ImageInfo[] {
  if (!Array.isArray(content)) return [];
  const images: ImageInfo[] = [];
  content.forEach((part, j) => {
    const path = `messages[${i}].content[${j}]`;
    if (!isObject(part) || typeof part.type !== 'string' || !PART_TYPES.has(part.type)) {
      const type = isObject(part) ? String(part.type) : String(part);
      throw new InvalidRequest(
        `Invalid value: '${type}'. Supported values are: 'text', 'image_url', 'input_audio', 'refusal', 'audio', and 'file'.`,
        `${path}.type`,
        'invalid_value',
      );
    }
    if (part.type === 'image_url') images.push(openaiImagePart(part, path));
  });
  return images;
}

/** Assistant tool calls count as content, so a conversation that continues after them changes the seed. */
function messageText(m: Json): string {
  const text = contentToText(m.content);
  return Array.isArray(m.tool_calls) && m.tool_calls.length > 0
    ? `${text}${JSON.stringify(m.tool_calls)}`
    : text;
}
