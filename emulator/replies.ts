import { codeReply } from './codeSamples.js';
import {
  type Conversation,
  instructionText,
  lastUserText,
  type ToolResultRef,
  trailingToolResults,
} from './conversation.js';
import { SeededRandom, sha256Hex, stableStringify } from './hash.js';
import { findMarker, MARKER } from './markers.js';
import { schemaInstance } from './schemaInstance.js';
import { estimateTokens, truncateToTokens } from './tokens.js';
import { planToolCalls, type ToolCallPlan, toolsToCall } from './toolPlan.js';
import { scriptedCalls } from './toolScript.js';

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
  /** One or more calls (parallel tool calls), in order. */
  calls: ToolCallPlan[];
  /** The arguments were deliberately made invalid against the schema (the invalid-arguments control). */
  invalidArguments: boolean;
  outputTokens: number;
}

export type ReplyPlan = TextReply | ToolReply;

export interface ReplyOptions {
  /** Answer 200 but not in the requested format (the "malformed" fault). */
  malformed?: boolean;
  /**
   * Asked only when the reply calls tools: true to make the arguments invalid. A callback, so that
   * the invalid-arguments control is used up by tool-call replies alone.
   */
  breakToolArguments?: () => boolean;
}

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

/**
 * Hash of everything that determines the text; stream flags and limits are left out on purpose. Tool
 * settings at their defaults are left out too, so that requests without them keep their old seeds.
 */
export function replySeed(conv: Conversation): string {
  const { model, system, messages, format, tools, toolChoice, parallelToolCalls, sampling } = conv;
  const offered = tools.length > 0;
  const seeded = {
    model,
    system,
    messages,
    format,
    tools,
    forcedTool: toolChoice.mode === 'tool' ? toolChoice.name : undefined,
    toolChoice:
      offered && (toolChoice.mode === 'none' || toolChoice.mode === 'required') ? toolChoice.mode : undefined,
    parallelToolCalls: offered && !parallelToolCalls ? false : undefined,
    sampling,
  };
  return sha256Hex(stableStringify(seeded));
}

/** Decides the whole answer for a request: text or tool calls, with the finish reason and token count. */
export function planReply(conv: Conversation, options: ReplyOptions = {}): ReplyPlan {
  const seed = replySeed(conv);
  const marker = findMarker(conv);
  const scripted = options.malformed || conv.toolChoice.mode === 'none' ? undefined : scriptedCalls(conv);
  if (scripted) {
    const calls = scripted.map((call, i) => {
      const argumentsJson = JSON.stringify(call.arguments ?? {});
      const callKey = sha256Hex(`${seed}:script:${i}`).slice(0, 24);
      return { name: call.name, input: call.arguments ?? {}, argumentsJson, callKey };
    });
    const outputTokens = calls.reduce((sum, c) => sum + estimateTokens(c.argumentsJson) + 10, 0);
    return { kind: 'tool', calls, invalidArguments: false, outputTokens };
  }
  const tools = options.malformed ? [] : toolsToCall(conv, marker);
  if (tools.length > 0) {
    const invalid = options.breakToolArguments?.() ?? false;
    const { calls, violated } = planToolCalls(tools, seed, marker, invalid);
    const outputTokens = calls.reduce((sum, c) => sum + estimateTokens(c.argumentsJson) + 10, 0);
    return { kind: 'tool', calls, invalidArguments: violated, outputTokens };
  }
  const text = marker ?? (options.malformed ? malformedText(conv) : naturalText(conv, seed));
  return limitText(text, conv);
}

function naturalText(conv: Conversation, seed: string): string {
  const topic = oneLine(lastUserText(conv));
  if (conv.format.kind === 'json_schema') return JSON.stringify(schemaInstance(conv.format.schema, seed));
  if (conv.format.kind === 'json_object') return JSON.stringify(smallObject(conv, seed));
  const results = trailingToolResults(conv);
  if (results.length > 0) return toolResultText(conv, results, seed);
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

/** The answer after tool results: it quotes each result, so a test can see that it was read. */
function toolResultText(conv: Conversation, results: ToolResultRef[], seed: string): string {
  const quoted = results.map((r) => {
    const content = oneLine(r.content).slice(0, 200) || '(empty)';
    return `${r.name} ${r.isError ? 'failed with' : 'returned'} ${content}`;
  });
  const sentence = new SeededRandom(seed).pick(SENTENCES);
  return `Emulated reply from ${conv.model} after tool results: ${quoted.join('; ')}. ${sentence}`;
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
  const choice = conv.toolChoice;
  if (choice.mode === 'tool') return `I would rather answer in prose than call ${choice.name}.`;
  if (choice.mode === 'required' && conv.tools.length > 0)
    return 'I would rather answer in prose than call a tool.';
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
