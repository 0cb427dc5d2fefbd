// The floor workflows' activities: the same OpenAI SDK call the orchestrator's adapter makes, and a
// local activity that does nothing.

import OpenAI from 'openai';
import { messageText } from '../../common/messages.js';
import type { ChatMessage } from '../../common/request.js';

export interface FloorCall {
  model: string;
  messages: ChatMessage[];
  maxOutputTokens: number;
}

export interface FloorReply {
  text: string;
  inputTokens: number;
  outputTokens: number;
}

export interface FloorActivities {
  callProvider(call: FloorCall): Promise<FloorReply>;
  noop(): Promise<void>;
}

export function createFloorActivities(openaiBaseURL: string): FloorActivities {
  const openai = new OpenAI({ apiKey: 'bench-openai-key', baseURL: openaiBaseURL, maxRetries: 0 });
  return {
    async callProvider(call) {
      const completion = await openai.chat.completions.create({
        model: call.model,
        // Bench prompts are rendered templates: text from system, user and assistant.
        messages: call.messages.map((m) => ({ role: m.role as 'system' | 'user', content: messageText(m) })),
        max_completion_tokens: call.maxOutputTokens,
      });
      return {
        text: completion.choices[0]?.message.content ?? '',
        inputTokens: completion.usage?.prompt_tokens ?? 0,
        outputTokens: completion.usage?.completion_tokens ?? 0,
      };
    },
    async noop() {},
  };
}
