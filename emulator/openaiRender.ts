import { sha256Hex } from './hash.js';
import type { ReplyPlan } from './replies.js';

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

export function toolCallId(plan: ReplyPlan): string {
  return plan.kind === 'tool' ? `call_${plan.callKey}` : '';
}

export function finishReason(plan: ReplyPlan): 'stop' | 'length' | 'tool_calls' {
  if (plan.kind === 'tool') return 'tool_calls';
  return plan.finish === 'length' ? 'length' : 'stop';
}

export function usage(promptTokens: number, completionTokens: number): Record<string, unknown> {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** A non-streamed chat.completion object. */
export function completionBody(meta: CompletionMeta, plan: ReplyPlan, promptTokens: number): unknown {
  const message =
    plan.kind === 'tool'
      ? {
          role: 'assistant',
          content: null,
          refusal: null,
          annotations: [],
          tool_calls: [
            {
              id: toolCallId(plan),
              type: 'function',
              function: { name: plan.name, arguments: plan.argumentsJson },
            },
          ],
        }
      : { role: 'assistant', content: plan.text, refusal: null, annotations: [] };
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(plan) }],
    usage: usage(promptTokens, plan.outputTokens),
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
