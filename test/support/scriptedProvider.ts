// A provider whose answers a test writes in advance, registered on the worker's ProviderRegistry in
// place of a real adapter (as temporalio/sdk-typescript's ai-sdk TestProvider is): workflow logic —
// fallback order, retries, rate-limit waits — is tested without HTTP, and each call is recorded.

import type { ProviderName } from '../../common/catalog.js';
import { messageText } from '../../common/messages.js';
import type { Provider, ProviderRequest, ProviderResponse } from '../../core/providers/types.js';

/** One scripted call: an answer's text, or an error the adapter would have thrown. */
export type ScriptedAnswer = { text: string } | { error: Error };

export class ScriptedProvider implements Provider {
  /** Every call, in order: the catalog model it was for and the messages it was sent. */
  readonly calls: { model: string; request: ProviderRequest }[] = [];
  private readonly scripts = new Map<string, ScriptedAnswer[]>();

  constructor(readonly name: ProviderName) {}

  /** The next calls to `model` get these answers in order; after them, a plain text answer. */
  script(model: string, ...answers: ScriptedAnswer[]): this {
    this.scripts.set(model, [...(this.scripts.get(model) ?? []), ...answers]);
    return this;
  }

  /** The models called, in call order. */
  modelsCalled(): string[] {
    return this.calls.map((c) => c.model);
  }

  async complete(request: ProviderRequest): Promise<ProviderResponse> {
    const model = request.model.id;
    this.calls.push({ model, request });
    const answer = this.scripts.get(model)?.shift() ?? { text: `Scripted reply from ${model}` };
    if ('error' in answer) throw answer.error;
    const inputTokens = request.messages.reduce((sum, m) => sum + Math.ceil(messageText(m).length / 4), 0);
    const outputTokens = Math.ceil(answer.text.length / 4);
    return {
      text: answer.text,
      toolCalls: [],
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      finishReason: 'stop',
      responseId: `scripted-${this.calls.length}`,
      providerModel: request.model.providerModel,
    };
  }
}
