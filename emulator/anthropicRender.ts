import type { ReplyPlan } from './replies.js';
import type { ToolCallPlan } from './toolPlan.js';
import { NO_EXTRA_USAGE, type UsageSettings } from './usageControl.js';

export function messageId(seed: string): string {
  return `msg_${seed.slice(0, 24)}`;
}

export function toolUseId(call: ToolCallPlan): string {
  return `toolu_${call.callKey}`;
}

export function stopReason(plan: ReplyPlan): 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' {
  if (plan.kind === 'tool') return 'tool_use';
  if (plan.finish === 'length') return 'max_tokens';
  return plan.finish === 'stop_sequence' ? 'stop_sequence' : 'end_turn';
}

export function stopSequence(plan: ReplyPlan): string | null {
  return plan.kind === 'text' ? plan.stopSequence : null;
}

/**
 * Anthropic's usage object. input_tokens excludes cache reads and writes, which have their own
 * fields (and a per-TTL breakdown of writes); reasoning (thinking) tokens are part of output_tokens.
 */
export function anthropicUsage(
  inputTokens: number,
  outputTokens: number,
  extra: UsageSettings = NO_EXTRA_USAGE,
): Record<string, unknown> {
  const write = extra.cacheWriteTokens;
  return {
    input_tokens: inputTokens,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: extra.cacheReadTokens,
    cache_creation: {
      ephemeral_5m_input_tokens: extra.cacheWriteTtl === '5m' ? write : 0,
      ephemeral_1h_input_tokens: extra.cacheWriteTtl === '1h' ? write : 0,
    },
    output_tokens: outputTokens + extra.reasoningTokens,
    ...(extra.reasoningTokens > 0
      ? { output_tokens_details: { thinking_tokens: extra.reasoningTokens } }
      : {}),
    service_tier: 'standard',
  };
}

/** The cumulative counters message_delta repeats at the end of a stream. */
export function deltaUsage(full: Record<string, unknown>): Record<string, unknown> {
  const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens } = full;
  const details = full.output_tokens_details;
  return {
    input_tokens,
    cache_creation_input_tokens,
    cache_read_input_tokens,
    output_tokens,
    ...(details ? { output_tokens_details: details } : {}),
  };
}

/** The finished content blocks, as in a non-streamed answer. */
export function contentBlocks(plan: ReplyPlan): Record<string, unknown>[] {
  if (plan.kind === 'text') return [{ type: 'text', text: plan.text }];
  return plan.calls.map((call) => ({
    type: 'tool_use',
    id: toolUseId(call),
    name: call.name,
    input: call.input,
  }));
}

/** The message envelope; a stream's message_start carries it with empty content and no stop reason. */
export function messageBody(
  id: string,
  model: string,
  plan: ReplyPlan,
  usage: Record<string, unknown>,
  started = false,
): Record<string, unknown> {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: started ? [] : contentBlocks(plan),
    stop_reason: started ? null : stopReason(plan),
    stop_sequence: started ? null : stopSequence(plan),
    usage,
  };
}
