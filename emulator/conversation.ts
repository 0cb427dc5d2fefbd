import { estimateTokens, MESSAGE_OVERHEAD_TOKENS } from './tokens.js';

/** Provider-neutral view of a generation request; both dialects parse into this. */
export interface Conversation {
  model: string;
  /** System (and developer) instructions joined together; '' when none. */
  system: string;
  messages: ConversationMessage[];
  maxTokens: number | undefined;
  format: OutputFormat;
  tools: ToolSpec[];
  toolChoice: ToolChoice;
  /** False when the caller asked for at most one tool call (parallel_tool_calls / disable_parallel_tool_use). */
  parallelToolCalls: boolean;
  stopSequences: string[];
  /** Sampling parameters that change the reply (temperature, seed…); hashed into the seed. */
  sampling: Record<string, unknown>;
}

/**
 * One message. The optional parts are left undefined when absent, so that plain text conversations
 * hash (and so answer) exactly as they did before tools and images were modelled.
 */
export interface ConversationMessage {
  role: string;
  text: string;
  /** Tool calls an assistant message made, as the client sent them back. */
  toolCalls?: ToolCallRef[];
  /** Tool results this message carries (an OpenAI 'tool' message, Anthropic tool_result blocks). */
  toolResults?: ToolResultRef[];
  images?: ImageInfo[];
}

export interface ToolCallRef {
  id: string;
  name: string;
}

export interface ToolResultRef {
  /** The tool_call_id / tool_use_id answered. */
  id: string;
  /** Name of the tool whose call this answers, looked up from the assistant message. */
  name: string;
  content: string;
  isError: boolean;
}

/** An image as counted: its size (decoded from the data, or assumed) and the tokens it costs. */
export interface ImageInfo {
  source: 'base64' | 'url';
  mediaType: string | undefined;
  width: number;
  height: number;
  /** False when the size is the documented default because the emulator cannot see the image. */
  sizeKnown: boolean;
  /** OpenAI's detail setting; undefined for Anthropic. */
  detail: 'low' | 'high' | 'auto' | undefined;
  tokens: number;
  /** Digest of the image bytes or URL, so different images give different replies. */
  digest: string;
}

export type OutputFormat =
  | { kind: 'text' }
  | { kind: 'json_object' }
  | { kind: 'json_schema'; schema: unknown };

export interface ToolSpec {
  name: string;
  description?: string;
  schema: unknown;
}

/** auto: the model decides; none: never call; required: call some tool; tool: call this one. */
export type ToolChoice = { mode: 'auto' | 'none' | 'required' } | { mode: 'tool'; name: string };

/** Prompt size as the emulator's stand-in tokenizer sees it, images included. */
export function estimatePromptTokens(conv: Conversation): number {
  let total = MESSAGE_OVERHEAD_TOKENS; // reply priming
  if (conv.system) total += estimateTokens(conv.system) + MESSAGE_OVERHEAD_TOKENS;
  for (const message of conv.messages) {
    total += estimateTokens(message.text) + MESSAGE_OVERHEAD_TOKENS;
    for (const image of message.images ?? []) total += image.tokens;
  }
  if (conv.tools.length > 0) total += estimateTokens(JSON.stringify(conv.tools));
  return total;
}

export function lastUserText(conv: Conversation): string {
  for (let i = conv.messages.length - 1; i >= 0; i--) {
    const message = conv.messages[i];
    if (message?.role === 'user') return message.text;
  }
  return '';
}

/** Tool results at the end of the conversation (one Anthropic message, or trailing OpenAI 'tool' messages). */
export function trailingToolResults(conv: Conversation): ToolResultRef[] {
  const results: ToolResultRef[] = [];
  for (let i = conv.messages.length - 1; i >= 0; i--) {
    const found = conv.messages[i]?.toolResults;
    if (!found || found.length === 0) break;
    results.unshift(...found);
    if (conv.messages[i]?.role !== 'tool') break;
  }
  return results;
}

/** What the "asks for JSON / asks for code" heuristics look at: instructions plus the latest question. */
export function instructionText(conv: Conversation): string {
  return `${conv.system}\n${lastUserText(conv)}`;
}

/** Turns a content field (string, or array of text-ish parts in either dialect) into plain text. */
export function contentToText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content == null ? '' : JSON.stringify(content);
  return content.map(partToText).filter(Boolean).join('\n');
}

function partToText(part: unknown): string {
  if (typeof part === 'string') return part;
  if (part === null || typeof part !== 'object') return '';
  const p = part as Record<string, unknown>;
  if (typeof p.text === 'string') return p.text;
  if (p.type === 'tool_result') return contentToText(p.content);
  if (p.type === 'tool_use') return JSON.stringify(p.input ?? {});
  return '';
}
