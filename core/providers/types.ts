// The one interface every provider adapter implements. Everything provider-specific stays in the
// adapter's own file; the rest of the code never branches on provider names.
import type { ModelSpec, ProviderName } from '../../common/catalog.js';
import type {
  ChatMessage,
  FinishReason,
  JsonSchema,
  TokenUsage,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from '../../common/request.js';

export interface ProviderRequest {
  model: ModelSpec;
  messages: ChatMessage[];
  maxOutputTokens: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  /** Ask for native structured output (OpenAI json_schema, Anthropic tool input schema). */
  structuredOutput?: { name: string; schema: JsonSchema };
  /** Functions the model may call, and how it may choose among them. */
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  /** Aborts the HTTP call, e.g. when Temporal cancels the activity. */
  signal?: AbortSignal;
  /** Per-call HTTP timeout in milliseconds. */
  timeoutMs?: number;
  /** Called with each text delta when the adapter streams; when absent the call is not streamed. */
  onDelta?: (delta: string) => void;
  /** Called with each fragment of a tool call while streaming: calls by index, id and name first. */
  onToolCallDelta?: (delta: ToolCallDelta) => void;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  name?: string;
  argumentsDelta: string;
}

export interface ProviderResponse {
  text: string;
  /** The tools the model called, in order (empty when it answered in text). */
  toolCalls: ToolCall[];
  usage: TokenUsage;
  finishReason: FinishReason | 'other';
  /** The provider's id for the response (chatcmpl-…, msg_…), for support tickets. */
  responseId: string;
  /** The model name the provider says answered. */
  providerModel: string;
}

export interface Provider {
  readonly name: ProviderName;
  complete(request: ProviderRequest): Promise<ProviderResponse>;
}

/** Where to reach one provider endpoint, resolved in the worker from the table, the catalog and the environment. */
export interface Endpoint {
  /** The provider's name as the catalog spells it; it names the adapter in errors and metrics. */
  name: ProviderName;
  apiKey: string;
  baseURL?: string;
  /** Sent on every call (values already expanded: they may hold secrets and stay in this process). */
  headers?: Record<string, string>;
  queryParams?: Record<string, string>;
  timeoutMs?: number;
  /** What the advice in an error message tells the operator to check. */
  hints: EndpointHints;
}

export interface EndpointHints {
  /** The variable holding the key, e.g. OPENAI_API_KEY or the catalog entry's apiKeyEnv. */
  keyVariable: string;
  /** Where the base URL came from, e.g. OPENAI_BASE_URL or "baseURL of groq-llama in the model catalog". */
  baseURLSource: string;
}
