import type { ReplyPlan } from './replies.js';

export function messageId(seed: string): string {
  return `msg_${seed.slice(0, 24)}`;
}

export function toolUseId(plan: ReplyPlan): string {
  return plan.kind === 'tool' ? `toolu_${plan.callKey}` : '';
}

export function stopReason(plan: ReplyPlan): 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' {
  if (plan.kind === 'tool') return 'tool_use';
  if (plan.finish === 'length') return 'max_tokens';
  return plan.finish === 'stop_sequence' ? 'stop_sequence' : 'end_turn';
}

export function stopSequence(plan: ReplyPlan): string | null {
  return plan.kind === 'text' ? plan.stopSequence : null;
}

export function anthropicUsage(inputTokens: number, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    service_tier: 'standard',
  };
}

/** The finished content block, as in a non-streamed answer. */
export function contentBlock(plan: ReplyPlan): Record<string, unknown> {
  return plan.kind === 'tool'
    ? { type: 'tool_use', id: toolUseId(plan), name: plan.name, input: plan.input }
    : { type: 'text', text: plan.text };
}

/** The message envelope; a stream's message_start carries it with empty content and no stop reason. */
export function messageBody(
  id: string,
  model: string,
  plan: ReplyPlan,
  inputTokens: number,
  started = false,
): Record<string, unknown> {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: started ? [] : [contentBlock(plan)],
    stop_reason: started ? null : stopReason(plan),
    stop_sequence: started ? null : stopSequence(plan),
    usage: anthropicUsage(inputTokens, started ? 1 : plan.outputTokens),
  };
}
