import type { FastifyInstance } from 'fastify';
import { openaiAuthError } from './auth.js';
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
      planReply(parsed.conversation, { malformed: go.malformed }),
    );
    if (!plan) return;
    ex.setTokens(promptTokens, plan.outputTokens);
    const meta = completionMeta(model, replySeed(parsed.conversation));
    if (parsed.stream) {
      await streamCompletion(ex, state, meta, plan, promptTokens, parsed.includeUsage);
      return;
    }
    await ex.sleep(generationMs(plan.outputTokens, state.latency.tokensPerSecond));
    ex.sendJson(200, completionBody(meta, plan, promptTokens));
  });
}

async function streamCompletion(
  ex: Exchange,
  state: EmulatorState,
  meta: CompletionMeta,
  plan: ReplyPlan,
  promptTokens: number,
  includeUsage: boolean,
): Promise<void> {
  const send = (choices: unknown[], usageValue: unknown = null): void =>
    ex.write(`data: ${JSON.stringify(chunkBody(meta, choices, includeUsage, usageValue))}\n\n`);
  ex.openStream();
  if (plan.kind === 'tool') {
    const call = {
      index: 0,
      id: toolCallId(plan),
      type: 'function',
      function: { name: plan.name, arguments: '' },
    };
    send([deltaChoice({ role: 'assistant', content: null, refusal: null, tool_calls: [call] })]);
    await emitPaced(ex, splitDeltas(plan.argumentsJson), state.latency.tokensPerSecond, (piece) =>
      send([deltaChoice({ tool_calls: [{ index: 0, function: { arguments: piece } }] })]),
    );
  } else {
    send([deltaChoice({ role: 'assistant', content: '', refusal: null })]);
    await emitPaced(ex, splitDeltas(plan.text), state.latency.tokensPerSecond, (piece) =>
      send([deltaChoice({ content: piece })]),
    );
  }
  if (ex.aborted) return;
  send([deltaChoice({}, finishReason(plan))]);
  if (includeUsage) send([], usage(promptTokens, plan.outputTokens));
  ex.write('data: [DONE]\n\n');
  ex.endStream();
}
