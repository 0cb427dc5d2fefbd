import type { FastifyInstance } from 'fastify';
import { anthropicError } from './anthropicErrors.js';
import {
  anthropicUsage,
  deltaUsage,
  messageBody,
  messageId,
  stopReason,
  stopSequence,
  toolUseId,
} from './anthropicRender.js';
import { parseMessagesRequest } from './anthropicRequest.js';
import { anthropicAuthError } from './auth.js';
import { recordReply, recordRequest } from './callDetails.js';
import { estimatePromptTokens } from './conversation.js';
import { Exchange } from './exchange.js';
import { emitPaced, generationMs, splitDeltas } from './pacing.js';
import { admit, planOrRefuse } from './pipeline.js';
import { planReply, type ReplyPlan, replySeed } from './replies.js';
import { isObject, modelOf, tryParse } from './requestFields.js';
import type { EmulatorState } from './state.js';
import type { UsageSettings } from './usageControl.js';

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
    if (parsed) recordRequest(ex.record, parsed.conversation);
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
      planReply(parsed.conversation, {
        malformed: go.malformed,
        breakToolArguments: () => state.invalidArguments.take('anthropic', model),
      }),
    );
    if (!plan) return;
    ex.setTokens(promptTokens, plan.outputTokens);
    recordReply(ex.record, plan, toolUseId);
    const extra = state.usage.for(model);
    const usage = anthropicUsage(promptTokens, plan.outputTokens, extra);
    ex.record.usage = usage;
    const id = messageId(replySeed(parsed.conversation));
    if (parsed.stream) {
      await streamMessage(ex, state, { id, model, plan, promptTokens, extra, usage });
      return;
    }
    await ex.sleep(generationMs(plan.outputTokens, state.latency.tokensPerSecond));
    ex.sendJson(200, messageBody(id, model, plan, usage));
  });
}

interface StreamedMessage {
  id: string;
  model: string;
  plan: ReplyPlan;
  promptTokens: number;
  extra: UsageSettings;
  usage: Record<string, unknown>;
}

/**
 * Anthropic's event order: message_start (usage with input and cache counts, output 1); per content
 * block content_block_start, content_block_delta (text_delta or input_json_delta), content_block_stop;
 * message_delta with the stop reason and cumulative usage; message_stop. One ping follows the first
 * block start, as the API sends it.
 */
async function streamMessage(ex: Exchange, state: EmulatorState, m: StreamedMessage): Promise<void> {
  const { plan } = m;
  const send = (event: string, data: Record<string, unknown>): void =>
    ex.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  const rate = state.latency.tokensPerSecond;
  ex.openStream();
  const startUsage = anthropicUsage(m.promptTokens, 1, { ...m.extra, reasoningTokens: 0 });
  send('message_start', { message: messageBody(m.id, m.model, plan, startUsage, true) });
  const blocks =
    plan.kind === 'tool'
      ? plan.calls.map((call) => ({
          start: { type: 'tool_use', id: toolUseId(call), name: call.name, input: {} },
          pieces: splitDeltas(call.argumentsJson),
          delta: (piece: string) => ({ type: 'input_json_delta', partial_json: piece }),
        }))
      : [
          {
            start: { type: 'text', text: '' },
            pieces: splitDeltas(plan.text),
            delta: (piece: string) => ({ type: 'text_delta', text: piece }),
          },
        ];
  for (const [index, block] of blocks.entries()) {
    send('content_block_start', { index, content_block: block.start });
    if (index === 0) send('ping', {});
    await emitPaced(ex, block.pieces, rate, (piece) =>
      send('content_block_delta', { index, delta: block.delta(piece) }),
    );
    if (ex.aborted) return;
    send('content_block_stop', { index });
  }
  send('message_delta', {
    delta: { stop_reason: stopReason(plan), stop_sequence: stopSequence(plan) },
    usage: deltaUsage(m.usage),
  });
  send('message_stop', {});
  ex.endStream();
}
