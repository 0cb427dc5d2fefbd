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
  /** Name of the tool the caller forces, if any. */
  forcedTool: string | undefined;
  stopSequences: string[];
  /** Sampling parameters that change the reply (temperature, seed…); hashed into the seed. */
  sampling: Record<string, unknown>;
}

export interface ConversationMessage {
  role: string;
  text: string;
}

export type OutputFormat =
  | { kind: 'text' }
  | { kind: 'json_object' }
  | { kind: 'json_schema'; schema: unknown };

export interface ToolSpec {
  name: string;
  schema: unknown;
}

/** Prompt size as the emulator's stand-in tokenizer sees it. */
export function estimatePromptTokens(conv: Conversation): number {
  let total = MESSAGE_OVERHEAD_TOKENS; // reply priming
  if (conv.system) total += estimateTokens(conv.system) + MESSAGE_OVERHEAD_TOKENS;
  for (const message of conv.messages) total += estimateTokens(message.text) + MESSAGE_OVERHEAD_TOKENS;
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
