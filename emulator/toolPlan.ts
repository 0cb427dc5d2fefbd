// Which tools a reply calls and with what arguments: the deterministic rule for tool-call replies.
import { type Conversation, type ToolSpec, trailingToolResults } from './conversation.js';
import { sha256Hex } from './hash.js';
import { markerObject } from './markers.js';
import { schemaInstance } from './schemaInstance.js';
import { violateSchema } from './schemaViolation.js';

/** One tool call of a reply; the dialects turn callKey into "call_…" / "toolu_…" ids. */
export interface ToolCallPlan {
  name: string;
  input: unknown;
  argumentsJson: string;
  callKey: string;
}

/** The most tools one reply calls when parallel calls are allowed. */
const MAX_PARALLEL_CALLS = 2;

/**
 * The tools a reply calls, by a fixed rule (so the same request always gets the same calls):
 * - no tools offered, or tool_choice 'none': none;
 * - a named tool (OpenAI {type:'function'}, Anthropic {type:'tool'}): that tool, even right after a
 *   tool result, since the API guarantees the call;
 * - 'required' / 'any': a call, even right after a tool result;
 * - 'auto': a call, unless the conversation ends with tool results (the model then answers in text)
 *   or a reply marker that is not a JSON object asks for plain text;
 * - with parallel calls allowed (the default on both APIs), the first two tools offered, in order;
 *   otherwise the first one.
 */
export function toolsToCall(conv: Conversation, marker: string | undefined): ToolSpec[] {
  const choice = conv.toolChoice;
  if (conv.tools.length === 0 || choice.mode === 'none') return [];
  if (choice.mode === 'tool') return conv.tools.filter((t) => t.name === choice.name);
  if (choice.mode === 'auto') {
    if (trailingToolResults(conv).length > 0) return [];
    if (marker !== undefined && !markerObject(marker)) return [];
  }
  return conv.tools.slice(0, conv.parallelToolCalls ? MAX_PARALLEL_CALLS : 1);
}

/**
 * Arguments for each call: the marker object for the first call if there is one, otherwise an
 * instance of the tool's schema. `invalid` breaks every call's arguments against its schema.
 */
export function planToolCalls(
  tools: ToolSpec[],
  seed: string,
  marker: string | undefined,
  invalid: boolean,
): { calls: ToolCallPlan[]; violated: boolean } {
  let violated = false;
  const calls = tools.map((tool, i) => {
    // The first call keeps the seed unsuffixed, as single calls always had.
    const callSeed = i === 0 ? seed : `${seed}:${i}`;
    const valid = (i === 0 ? markerObject(marker) : undefined) ?? schemaInstance(tool.schema, callSeed);
    const broken = invalid ? violateSchema(tool.schema, valid) : { value: valid, violated: false };
    violated ||= broken.violated;
    return {
      name: tool.name,
      input: broken.value,
      argumentsJson: JSON.stringify(broken.value),
      callKey: i === 0 ? seed.slice(0, 24) : sha256Hex(`${seed}:call:${i}`).slice(0, 24),
    };
  });
  return { calls, violated };
}
