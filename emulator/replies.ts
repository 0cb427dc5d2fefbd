import { codeReply } from './codeSamples.js';
import { type Conversation, instructionText, lastUserText } from './conversation.js';
import { SeededRandom, sha256Hex, stableStringify } from './hash.js';
import { schemaInstance } from './schemaInstance.js';
import { estimateTokens, truncateToTokens } from './tokens.js';

export interface TextReply {
  kind: 'text';
  text: string;
  /** Why generation ended: naturally, at max tokens, or at one of the caller's stop sequences. */
  finish: 'stop' | 'length' | 'stop_sequence';
  stopSequence: string | null;
  outputTokens: number;
}

export interface ToolReply {
  kind: 'tool';
  name: string;
  input: unknown;
  argumentsJson: string;
  /** Hex digest the dialects turn into their tool-call id ("call_…", "toolu_…"). */
  callKey: string;
  outputTokens: number;
}

export type ReplyPlan = TextReply | ToolReply;

export interface ReplyOptions {
  /** Answer 200 but not in the requested format (the "malformed" fault). */
  malformed?: boolean;
}

const MARKER = /\[\[emulator:reply=([\s\S]*?)\]\]/g;

const SENTENCES = [
  'This answer was generated deterministically, so the same request always gets the same words.',
  'The main points are summarised briefly, as a real model would do for a short question.',
  'Further detail can be requested in a follow-up message.',
  'No external service was contacted to produce this text.',
  'Each part of the question was considered before answering.',
  'The reply length is kept short to make token accounting easy to check.',
  'A production model would add more nuance here.',
  'Results may vary with different wording of the same question.',
  'The emulator keeps no state between requests besides its call log.',
  'Sampling parameters change the wording in a repeatable way.',
];

/** Hash of everything that determines the text; stream flags and limits are left out on purpose. */
export function replySeed(conv: Conversation): string {
  const { model, system, messages, format, tools, forcedTool, sampling } = conv;
  return sha256Hex(stableStringify({ model, system, messages, format, tools, forcedTool, sampling }));
}

/** Decides the whole answer for a request: text or tool call, with its finish reason and token count. */
export function planReply(conv: Conversation, options: ReplyOptions = {}): ReplyPlan {
  const seed = replySeed(conv);
  const marker = findMarker(conv);
  const tool = conv.forcedTool ? conv.tools.find((t) => t.name === conv.forcedTool) : undefined;
  if (conv.forcedTool && !options.malformed) {
    const input = markerObject(marker) ?? schemaInstance(tool?.schema ?? { type: 'object' }, seed);
    const argumentsJson = JSON.stringify(input);
    return {
      kind: 'tool',
      name: conv.forcedTool,
      input,
      argumentsJson,
      callKey: seed.slice(0, 24),
      outputTokens: estimateTokens(argumentsJson) + 10,
    };
  }
  const text = marker ?? (options.malformed ? malformedText(conv) : naturalText(conv, seed));
  return limitText(text, conv);
}

function findMarker(conv: Conversation): string | undefined {
  let found: string | undefined;
  for (const text of [conv.system, ...conv.messages.map((m) => m.text)]) {
    for (const match of text.matchAll(MARKER)) found = match[1];
  }
  return found;
}

function markerObject(marker: string | undefined): Record<string, unknown> | undefined {
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

function naturalText(conv: Conversation, seed: string): string {
  const topic = oneLine(lastUserText(conv));
  if (conv.format.kind === 'json_schema') return JSON.stringify(schemaInstance(conv.format.schema, seed));
  if (conv.format.kind === 'json_object') return JSON.stringify(smallObject(conv, seed));
  const instructions = instructionText(conv);
  if (/\bjson\b/i.test(instructions))
    return `\`\`\`json\n${JSON.stringify(smallObject(conv, seed), null, 2)}\n\`\`\``;
  if (/\bcode\b/i.test(instructions)) return codeReply(instructions, topic.slice(0, 60) || 'emulated');
  const random = new SeededRandom(seed);
  const first = random.pick(SENTENCES);
  const second = random.pick(SENTENCES.filter((s) => s !== first));
  const echo = topic.slice(0, 80) || '(empty message)';
  const stop = /[.!?]$/.test(echo) ? '' : '.';
  return `Emulated reply from ${conv.model} to: ${echo}${stop} ${first} ${second}`;
}

function smallObject(conv: Conversation, seed: string): Record<string, unknown> {
  const random = new SeededRandom(`object:${seed}`);
  return {
    answer: `Emulated reply from ${conv.model}`,
    topic: oneLine(lastUserText(conv)).slice(0, 60),
    confidence: Math.round((0.5 + random.next() * 0.49) * 100) / 100,
    tags: ['emulated', random.pick(['alpha', 'beta', 'gamma', 'delta'])],
  };
}

/** Not what was asked for: broken JSON where JSON was expected, prose instead of a tool call or code. */
function malformedText(conv: Conversation): string {
  const wantsJson = conv.format.kind !== 'text' || /\bjson\b/i.test(instructionText(conv));
  if (wantsJson)
    return `Sure, here is the JSON you asked for: {"answer": "Emulated reply from ${conv.model}", "items": [1, 2,`;
  if (conv.forcedTool) return `I would rather answer in prose than call ${conv.forcedTool}.`;
  return `Well, that is an interesting question, and I would rather talk about something else entirely.`;
}

function limitText(text: string, conv: Conversation): TextReply {
  let finish: TextReply['finish'] = 'stop';
  let stopSequence: string | null = null;
  let cut = text;
  for (const sequence of conv.stopSequences) {
    const at = sequence ? cut.indexOf(sequence) : -1;
    if (at >= 0) {
      cut = cut.slice(0, at);
      finish = 'stop_sequence';
      stopSequence = sequence;
    }
  }
  if (conv.maxTokens !== undefined && estimateTokens(cut) > conv.maxTokens) {
    cut = truncateToTokens(cut, conv.maxTokens);
    finish = 'length';
    stopSequence = null;
  }
  return { kind: 'text', text: cut, finish, stopSequence, outputTokens: estimateTokens(cut) };
}

function oneLine(text: string): string {
  return text.replace(MARKER, '').replace(/\s+/g, ' ').trim();
}
