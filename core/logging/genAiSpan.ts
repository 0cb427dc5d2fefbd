// OpenTelemetry's GenAI semantic-convention attributes for one provider call (semconv "gen_ai.*",
// still marked Development upstream), set on the span the tracing interceptor opened around the
// activity, so a trace backend shows model, tokens and finish reason without reading our logs.
import { type Attributes, trace } from '@opentelemetry/api';
import type { ModelSpec } from '../../common/catalog.js';
import type { GenerationParams, TokenUsage, ToolCall } from '../../common/request.js';

export interface GenAiCall {
  model: ModelSpec;
  maxOutputTokens: number;
  params?: GenerationParams;
  response: {
    responseId: string;
    providerModel: string;
    finishReason: string;
    usage: TokenUsage;
    toolCalls: ToolCall[];
  };
}

export function genAiAttributes(call: GenAiCall): Attributes {
  const { model, response, params } = call;
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': model.provider,
    'gen_ai.request.model': model.providerModel,
    'gen_ai.request.max_tokens': call.maxOutputTokens,
    ...(params?.temperature !== undefined ? { 'gen_ai.request.temperature': params.temperature } : {}),
    ...(params?.topP !== undefined ? { 'gen_ai.request.top_p': params.topP } : {}),
    ...(params?.stop?.length ? { 'gen_ai.request.stop_sequences': params.stop } : {}),
    'gen_ai.response.id': response.responseId,
    'gen_ai.response.model': response.providerModel,
    'gen_ai.response.finish_reasons': [response.finishReason],
    'gen_ai.usage.input_tokens': response.usage.inputTokens,
    'gen_ai.usage.output_tokens': response.usage.outputTokens,
    ...(response.toolCalls.length ? { 'gen_ai.tool.names': response.toolCalls.map((c) => c.name) } : {}),
  };
}

/** Sets the attributes on the active span, when there is one (tracing on). */
export function recordGenAiSpan(call: GenAiCall): void {
  trace.getActiveSpan()?.setAttributes(genAiAttributes(call));
}
