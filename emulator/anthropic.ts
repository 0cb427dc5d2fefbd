import type { FastifyInstance } from 'fastify';
import { anthropicError } from './anthropicErrors.js';
import { messageBody, messageId, stopReason, stopSequence, toolUseId } from './anthropicRender.js';
import { parseMessagesRequest } from './anthropicRequest.js';
import { anthropicAuthError } from './auth.js';
import { estimatePromptTokens } from './conversation.js';
import { Exchange } from './exchange.js';
import { emitPaced, generationMs, splitDeltas } from './pacing.js';
import { admit, planOrRefuse } from './pipeline.js';
import { planReply, type ReplyPlan, replySeed } from './replies.js';
import { isObject, modelOf, tryParse } from './requestFields.js';
import type { EmulatorState } from './state.js';

/** POST /v1/messages, streaming and not. */
export function registerAnthropicMessages(app: FastifyInstance, state: EmulatorState): void {
  app.post('/v1/messages', async (request, reply) => {
    const { value: parsed, invalid } = tryParse(() => parseMessagesRequest(request.body));
    const model = modelOf(request.body);
    const ex = new Exchange(request, reply, state.calls, {
      provider: 'anthropic',
      model,
      path: '/v1/messages',
      stream: isObject(request.body) && request.body.stream === true,
    });
    const promptTokens = parsed ? estimatePromptTokens(parsed.conversation) : 0;
    const go = await admit(ex, state, {
      provider: 'anthropic',
      dialect: anthropicError,
      model,
      authError: anthropicAuthError(request.headers, state.keys),
      invalid,
      promptTokens,
      contextTokens: promptTokens,
    });
    if (!go || !parsed) return;

    const plan = planOrRefuse(ex, anthropicError, () =>
      planReply(parsed.conversation, { malformed: go.malformed }),
    );
    if (!plan) return;
    ex.setTokens(promptTokens, plan.outputTokens);
    const id = messageId(replySeed(parsed.conversation));
    if (parsed.stream) {
      await streamMessage(ex, state, id, model, plan, promptTokens);
      return;
    }
    await ex.sleep(generationMs(plan.outputTokens, state.latency.tokensPerSecond));
    ex.sendJson(200, messageBody(id, model, plan, promptTokens));
  });
}

/** The event sequence Anthropic sends for a single content block. */
async function streamMessage(
  ex: Exchange,
  state: EmulatorState,
  id: string,
  model: string,
  plan: ReplyPlan,
  promptTokens: number,
): Promise<void> {
  const send = (event: string, data: Record<string, unknown>): void =>
    ex.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  ex.openStream();
  send('message_start', { message: messageBody(id, model, plan, promptTokens, true) });
  const block =
    plan.kind === 'tool'
      ? { type: 'tool_use', id: toolUseId(plan), name: plan.name, input: {} }
      : { type: 'text', text: '' };
  send('content_block_start', { index: 0, content_block: block });
  send('ping', {});
  const pieces = splitDeltas(plan.kind === 'tool' ? plan.argumentsJson : plan.text);
  await emitPaced(ex, pieces, state.latency.tokensPerSecond, (piece) =>
    send('content_block_delta', {
      index: 0,
      delta:
        plan.kind === 'tool'
          ? { type: 'input_json_delta', partial_json: piece }
          : { type: 'text_delta', text: piece },
    }),
  );
  if (ex.aborted) return;
  send('content_block_stop', { index: 0 });
  send('message_delta', {
    delta: { stop_reason: stopReason(plan), stop_sequence: stopSequence(plan) },
    usage: { output_tokens: plan.outputTokens },
  });
  send('message_stop', {});
  ex.endStream();
}
