// Scripted tool rounds, for multi-step agent tests: `<<emulator:script=JSON>>` in the instructions or a
// message dictates which tools each successive assistant turn calls and with what arguments. JSON is
// an array of rounds (each an array of {name, arguments}), or {"repeat": round, "times": N}. Round k is
// the k-th assistant turn with tool calls in the conversation; once every round is spent the model
// answers in text as usual (quoting the last tool results). A name the request did not offer is still
// called: real models do call tools they were not given, and agents must cope.
import type { Conversation } from './conversation.js';

const SCRIPT = /<<emulator:script=([\s\S]*?)>>/;

export interface ScriptedCall {
  name: string;
  arguments: Record<string, unknown>;
}

function parseRounds(json: string): ScriptedCall[][] | undefined {
  try {
    const parsed = JSON.parse(json) as unknown;
    if (Array.isArray(parsed)) return parsed as ScriptedCall[][];
    const repeat = parsed as { repeat?: ScriptedCall[]; times?: number };
    if (Array.isArray(repeat.repeat) && typeof repeat.times === 'number')
      return Array.from({ length: repeat.times }, () => repeat.repeat as ScriptedCall[]);
  } catch {
    // Not a script: the marker is ignored, as a malformed reply marker is.
  }
  return undefined;
}

/** The calls the script dictates for this turn; undefined when there is no script or it is spent. */
export function scriptedCalls(conv: Conversation): ScriptedCall[] | undefined {
  let rounds: ScriptedCall[][] | undefined;
  for (const text of [conv.system, ...conv.messages.map((m) => m.text)]) {
    const match = SCRIPT.exec(text);
    if (match?.[1]) rounds = parseRounds(match[1]) ?? rounds;
  }
  if (!rounds) return undefined;
  const done = conv.messages.filter((m) => m.role === 'assistant' && (m.toolCalls?.length ?? 0) > 0).length;
  const round = rounds[done];
  return round && round.length > 0 ? round : undefined;
}
