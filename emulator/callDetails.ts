// What the call log keeps about a generation call beyond its status: tools, tool calls, images.
import type { CallRecord } from './callLog.js';
import { type Conversation, type ToolChoice, trailingToolResults } from './conversation.js';
import type { ReplyPlan } from './replies.js';
import type { ToolCallPlan } from './toolPlan.js';

/** Fills a call-log record with what the request offered: tools, tool choice, tool results, images. */
export function recordRequest(record: CallRecord, conv: Conversation): void {
  if (conv.tools.length > 0) {
    record.toolsOffered = conv.tools.map((t) => t.name);
    record.toolChoice = choiceLabel(conv.toolChoice);
  }
  const results = trailingToolResults(conv);
  if (results.length > 0) record.toolResults = results.map((r) => r.id);
  const images = conv.messages.flatMap((m) => m.images ?? []);
  if (images.length > 0) {
    record.images = images.map(({ source, mediaType, width, height, sizeKnown, detail, tokens }) => ({
      source,
      mediaType,
      width,
      height,
      sizeKnown,
      detail,
      tokens,
    }));
  }
}

/** Adds the reply's tool calls, with the ids as the dialect sent them. */
export function recordReply(record: CallRecord, plan: ReplyPlan, idOf: (call: ToolCallPlan) => string): void {
  if (plan.kind !== 'tool') return;
  record.toolCalls = plan.calls.map((c) => ({ id: idOf(c), name: c.name, arguments: c.argumentsJson }));
  record.invalidToolArguments = plan.invalidArguments;
}

function choiceLabel(choice: ToolChoice): string {
  return choice.mode === 'tool' ? `tool:${choice.name}` : choice.mode;
}
