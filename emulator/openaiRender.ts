import { sha256Hex } from './hash.js';
import type { ReplyPlan } from './replies.js';
import type { ToolCallPlan } from './toolPlan.js';
import { NO_EXTRA_USAGE, type UsageSettings } from './usageControl.js';

/** Fields shared by a completion and all chunks of its stream. */
export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
  fingerprint: string;
}

export function completionMeta(model: string, seed: string): CompletionMeta {
  return {
    id: `chatcmpl-${seed.slice(0, 29)}`,
    created: Math.floor(Date.now() / 1000),
    model,
    fingerprint: `fp_${sha256Hex(model).slice(0, 10)}`,
  };
}

export function toolCallId(call: ToolCallPlan): string {
  return `call_${call.callKey}`;
}

export function finishReason(plan: ReplyPlan): 'stop' | 'length' | 'tool_calls' {
  if (plan.kind === 'tool') return 'tool_calls';
  return plan.finish === 'length' ? 'length' : 'stop';
}

/**
 * OpenAI's usage object. Cache reads are part of prompt_tokens (OpenAI counts cached tokens inside
 * it) and so are cache writes, which OpenAI bills as ordinary input; reasoning tokens are part of
 * completion_tokens. promptTokens is the emulator's estimate of the uncached prompt.
 */
export function usage(
  promptTokens: number,
  completionTokens: number,
  extra: UsageSettings = NO_EXTRA_USAGE,
): Record<string, unknown> {
  const prompt = promptTokens + extra.cacheReadTokens + extra.cacheWriteTokens;
  const completion = completionTokens + extra.reasoningTokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: extra.cacheReadTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: extra.reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** The assistant message of a non-streamed completion. */
function message(plan: ReplyPlan): Record<string, unknown> {
  if (plan.kind === 'text') return { role: 'assistant', content: plan.text, refusal: null, annotations: [] };
  return {
    role: 'assistant',
    content: null,
    refusal: null,
    annotations: [],
    tool_calls: plan.calls.map((call) => ({
      id: toolCallId(call),
      type: 'function',
      function: { name: call.name, arguments: call.argumentsJson },
    })),
  };
}

/** A non-streamed chat.completion object. */
export function completionBody(meta: CompletionMeta, plan: ReplyPlan, usageValue: unknown): unknown {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message: message(plan), logprobs: null, finish_reason: finishReason(plan) }],
    usage: usageValue,
    service_tier: 'default',
    system_fingerprint: meta.fingerprint,
  };
}

/** One chat.completion.chunk; with include_usage every chunk carries usage: null until the last. */
export function chunkBody(
  meta: CompletionMeta,
  choices: unknown[],
  includeUsage: boolean,
  usageValue: unknown = null,
): unknown {
  return {
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    service_tier: 'default',
    system_fingerprint: meta.fingerprint,
    choices,
    ...(includeUsage ? { usage: usageValue } : {}),
  };
}

export function deltaChoice(delta: Record<string, unknown>, finish: string | null = null): unknown {
  return { index: 0, delta, logprobs: null, finish_reason: finish };
}
