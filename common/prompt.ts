import type { ChatMessage, JsonSchema, LlmRequest, OutputFormat } from './request.js';

/** What rendering a template produces; recorded in history as the render step's result. */
export interface RenderedPrompt {
  templateId: string;
  version: string;
  /** Variant name when the template declares A/B variants. */
  variant?: string;
  messages: ChatMessage[];
  /** Token estimate per message (same order as messages), for operators reading history. */
  tokenCounts: number[];
  /** Defaults the template declares; a request's own outputFormat/schema wins over them. */
  outputFormat?: OutputFormat;
  schema?: JsonSchema;
}

export interface RenderPromptInput {
  requestId: string;
  templateId: string;
  templateVersion?: string;
  variables: Record<string, unknown>;
  /** Messages to send as they are, instead of rendering the template. */
  messages?: ChatMessage[];
}

/** What rendering takes from a request. */
export function renderInput(
  request: Pick<LlmRequest, 'requestId' | 'templateId' | 'variables' | 'templateVersion' | 'messages'>,
): RenderPromptInput {
  return {
    requestId: request.requestId,
    templateId: request.templateId,
    variables: request.variables,
    ...(request.templateVersion ? { templateVersion: request.templateVersion } : {}),
    ...(request.messages ? { messages: request.messages } : {}),
  };
}
