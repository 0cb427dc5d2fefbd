import type { FastifyInstance } from 'fastify';
import { openaiAuthError } from './auth.js';
import { recordReply, recordRequest } from './callDetails.js';
import { estimatePromptTokens } from './conversation.js';
import { Exchange } from './exchange.js';
import { openaiError } from './openaiErrors.js';
import {
  type CompletionMeta,
  chunkBody,
  completionBody,
  completionMeta,
  deltaChoice,
  finishReason,
  toolCallId,
  usage,
} from './openaiRender.js';
import { parseChatRequest } from './openaiRequest.js';
import { emitPaced, generationMs, splitDeltas } from './pacing.js';
import { admit, planOrRefuse } from './pipeline.js';
import { planReply, type ReplyPlan, replySeed } from './replies.js';
import { isObject, modelOf, tryParse } from './requestFields.js';
import type { EmulatorState } from './state.js';

/** POST /v1/chat/completions, streaming and not. */
export function registerOpenAiChat(app: FastifyInstance, state: EmulatorState): void {
  app.post('/v1/chat/completions', async (request, reply) => {
    const { value: parsed, invalid } = tryParse(() => parseChatRequest(request.body));
    const model = modelOf(request.body);
    const ex = new Exchange(request, reply, state.calls, {
      provider: 'openai',
      model,
      path: '/v1/chat/completions',
      stream: isObject(request.body) && request.body.stream === true,
    });
    if (parsed) recordRequest(ex.record, parsed.conversation);
    const promptTokens = parsed ? estimatePromptTokens(parsed.conversation) : 0;
    const go = await admit(ex, state, {
      provider: 'openai',
      dialect: openaiError,
      model,
      authError: openaiAuthError(request.headers, state.keys),
      invalid,
      promptTokens,
      contextTokens: promptTokens,
    });
    if (!go || !parsed) return;

    const plan = planOrRefuse(ex, openaiError, () =>
      planReply(parsed.conversation, {
        malformed: go.malformed,
        breakToolArguments: () => state.invalidArguments.take('openai', model),
      }),
    );
    if (!plan) return;
    ex.setTokens(promptTokens, plan.outputTokens);
    recordReply(ex.record, plan, toolCallId);
    const usageValue = usage(promptTokens, plan.outputTokens, state.usage.for(model));
    const meta = completionMeta(model, replySeed(parsed.conversation));
    if (parsed.stream) {
      if (parsed.includeUsage) ex.record.usage = usageValue;
      await streamCompletion(ex, state, meta, plan, parsed.includeUsage ? usageValue : undefined);
      return;
    }
    ex.record.usage = usageValue;
    await ex.sleep(generationMs(plan.outputTokens, state.latency.tokensPerSecond));
    ex.sendJson(200, completionBody(meta, plan, usageValue));
  });
}

/**
 * OpenAI's chunk sequence: a first delta with the role; for each tool call, a delta that opens it
 * (index, id, type, name, empty arguments) and then argument fragments; a delta with the finish
 * reason; the usage chunk when stream_options.include_usage asked for it; [DONE].
 */
async function streamCompletion(
  ex: Exchange,
  state: EmulatorState,
  meta: CompletionMeta,
  plan: ReplyPlan,
  usageValue: Record<string, unknown> | undefined,
): Promise<void> {
  const includeUsage = usageValue !== undefined;
  const send = (choices: unknown[], usageChunk: unknown = null): void =>
    ex.write(`data: ${JSON.stringify(chunkBody(meta, choices, includeUsage, usageChunk))}\n\n`);
  const rate = state.latency.tokensPerSecond;
  ex.openStream();
  if (plan.kind === 'tool') {
    for (const [index, call] of plan.calls.entries()) {
      const opening = {
        index,
        id: toolCallId(call),
        type: 'function',
        function: { name: call.name, arguments: '' },
      };
      const first = index === 0 ? { role: 'assistant', content: null, refusal: null } : {};
      send([deltaChoice({ ...first, tool_calls: [opening] })]);
      await emitPaced(ex, splitDeltas(call.argumentsJson), rate, (piece) =>
        send([deltaChoice({ tool_calls: [{ index, function: { arguments: piece } }] })]),
      );
      if (ex.aborted) return;
    }
  } else {
    send([deltaChoice({ role: 'assistant', content: '', refusal: null })]);
    await emitPaced(ex, splitDeltas(plan.text), rate, (piece) => send([deltaChoice({ content: piece })]));
  }
  if (ex.aborted) return;
  send([deltaChoice({}, finishReason(plan))]);
  if (usageValue) send([], usageValue);
  ex.write('data: [DONE]\n\n');
  ex.endStream();
}
