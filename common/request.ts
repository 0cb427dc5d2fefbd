// The request a service sends and the result it gets back. Pure types: imported by workflows,
// activities and the client alike, so nothing here may touch Node or the outside world.

import type { Urgency } from './batches.js';
import type { OffPeakWindow } from './schedule.js';

export type OutputFormat = 'text' | 'json' | 'code' | 'markdown';

/** A JSON Schema document (draft-07 or 2020-12). Kept loose on purpose: ajv validates it. */
export type JsonSchema = Record<string, unknown>;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type MessageRole = 'system' | 'user' | 'assistant' | 'tool';

export interface TextPart {
  type: 'text';
  text: string;
}

/** Media types both providers accept for images. */
export const IMAGE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export type ImageMediaType = (typeof IMAGE_MEDIA_TYPES)[number];

/** An image by URL, or inline as base64 with its media type. */
export type ImageSource = { url: string } | { mediaType: ImageMediaType; data: string };

export interface ImagePart {
  type: 'image';
  source: ImageSource;
  /** OpenAI's detail level (low: a fixed 85 tokens); other providers ignore it. */
  detail?: 'low' | 'high' | 'auto';
}

export type ContentPart = TextPart | ImagePart;

/** A tool call the model made: `arguments` parsed, `rawArguments` exactly as the model wrote them. */
export interface ToolCall {
  /** The provider's id for the call (`call_…`, `toolu_…`); a tool result names it. */
  id: string;
  name: string;
  arguments: JsonValue;
  rawArguments: string;
}

/**
 * One message. `content` is text, or parts (text and images). An assistant message may carry the
 * tool calls it made; a `tool` message is the result of one call and names it by `toolCallId`.
 */
export interface ChatMessage {
  role: MessageRole;
  content: string | ContentPart[];
  toolCalls?: ToolCall[];
  toolCallId?: string;
  /** A tool result that reports a failure (Anthropic's `is_error`). */
  isError?: boolean;
}

/** A function the model may call, described by a JSON Schema for its arguments. */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters: JsonSchema;
  /** Ask the provider to follow the schema exactly (OpenAI's strict mode). */
  strict?: boolean;
}

/** auto: the model decides; none: no tool; required: at least one; or one named tool. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** Why the model stopped: the end of its answer, the token limit, to call tools, or a filter. */
export const FINISH_REASONS = ['stop', 'length', 'tool_calls', 'content_filter'] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

export function isFinishReason(value: unknown): value is FinishReason {
  return (FINISH_REASONS as readonly unknown[]).includes(value);
}

/** A piece of context that may be pruned to fit a model's window (issue: context management). */
export interface ContextItem {
  id: string;
  content: string;
  /** 0..1, higher is more relevant. */
  relevanceScore: number;
  /** ISO 8601 time the item was produced; newer items win under the recency strategy. */
  timestamp: string;
  source?: string;
  /** Pinned items are never pruned. */
  pinned?: boolean;
}

export interface GenerationParams {
  temperature?: number;
  topP?: number;
  /** Upper bound on tokens the model may generate; defaults to the catalog's value for the task. */
  maxOutputTokens?: number;
  stop?: string[];
}

export interface RoutingCriteria {
  requiredCapabilities?: string[];
  maxCostUsd?: number;
  maxLatencyMs?: number;
  preferredProvider?: string;
}

export interface LlmRequest {
  /** Idempotency key: the workflow id. Submitting the same id twice returns the same run. */
  requestId: string;
  taskType: string;
  templateId: string;
  /** Pin a template version; without it the highest version is used. */
  templateVersion?: string;
  variables: Record<string, JsonValue>;
  /**
   * Messages sent as they are instead of rendering the template (the OpenAI-compatible endpoint);
   * the template id still names the request in search attributes and metrics.
   */
  messages?: ChatMessage[];
  outputFormat?: OutputFormat;
  /** JSON Schema the output must satisfy; implies JSON output. */
  schema?: JsonSchema;
  /** Preferred model id from the catalog; routing still applies its fallbacks. */
  model?: string;
  /** Models to try, in order, after the routed ones fail. */
  fallbackModels?: string[];
  params?: GenerationParams;
  context?: ContextItem[];
  /** How to prune `context` to each model's window; hybrid by default. */
  pruning?: {
    strategy?: 'relevance' | 'recency' | 'hybrid';
    relevanceWeight?: number;
    recencyWeight?: number;
    /** Summarise the items pruning drops into one item by a cheaper model instead of losing them. */
    summarizeDropped?: boolean | { model?: string; taskType?: string; maxOutputTokens?: number };
  };
  /** The seed's ModelSelectionCriteria beyond the preferred model. */
  criteria?: RoutingCriteria;
  /**
   * When the preferred model's circuit is open, wait (a durable timer, not a held connection) up to
   * this many seconds for its cooldown to end instead of falling back at once.
   */
  waitForCooldownSeconds?: number;
  /** One deadline for the whole chain (every retry and fallback), in seconds; default 600. */
  deadlineSeconds?: number;
  /** Times a model is re-asked with validation errors before the next model; default from config. */
  maxRepairs?: number;
  /** Use the seed's regex extraction when the answer is not valid JSON for the schema (marked in the result). */
  allowRegexFallback?: boolean;
  /** Defer the request: it starts no earlier than this ISO 8601 time (a durable timer). */
  notBefore?: string;
  /** Defer the request into an off-peak window (UTC hours), e.g. { startHourUtc: 22, endHourUtc: 6 }. */
  offPeak?: OffPeakWindow;
  /**
   * `batch`: not urgent — the first model's call goes through the provider's Batch API (about half
   * price, answered within 24 hours) while the request waits durably; `now` (default): an ordinary call.
   */
  urgency?: Urgency;
  /** Functions the model may call; their calls come back in the result's `toolCalls`. */
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** Let the model call several tools in one answer (default: the provider's, which is yes). */
  parallelToolCalls?: boolean;
  /** Stream the answer's deltas as they are generated (read them with the client's `stream()`). */
  stream?: boolean;
  /** Who asked (service or tenant); flows into search attributes and usage records. */
  caller?: string;
  /** read-write (default): look up and store; read-only: look up only; off: neither. */
  cache?: 'read-write' | 'read-only' | 'off';
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  /** Of inputTokens: read from the provider's prompt cache, when it reports them. */
  cachedInputTokens?: number;
  /** Of inputTokens: written to the provider's prompt cache (Anthropic reports them; OpenAI does not). */
  cacheWriteTokens?: number;
  /** Of cacheWriteTokens: those written with the 1-hour TTL; the rest were written for 5 minutes. */
  cacheWrite1hTokens?: number;
  /** Of outputTokens: reasoning (thinking) tokens, when the provider reports them. */
  reasoningTokens?: number;
  /** Of inputTokens: image input, when the provider counts it apart. */
  imageInputTokens?: number;
  /** The service tier the provider says served the call (`default`, `flex`, `priority`, `batch`). */
  serviceTier?: string;
}

export type AttemptOutcome = 'success' | 'failed' | 'skipped';

/** One provider call (or skipped model) as seen by the request. */
export interface Attempt {
  model: string;
  provider: string;
  outcome: AttemptOutcome;
  /** Failure type (the error class name), when the attempt failed. */
  errorType?: string;
  error?: string;
  durationMs: number;
  usage?: TokenUsage;
  /** What this call cost, when the provider answered. */
  costUsd?: number;
  /** 1 for the first call to this model, 2 for its first retry, … */
  try?: number;
  /** A re-ask with validation errors (structured-output repair). */
  repair?: boolean;
}

export interface LlmResult {
  requestId: string;
  workflowId: string;
  model: string;
  provider: string;
  templateId: string;
  templateVersion: string;
  /** The processed answer: parsed JSON for json/schema output, extracted code for code, else text. */
  output: JsonValue;
  /** The model's raw text. */
  text: string;
  /** The tools the model called, arguments validated against each tool's schema. */
  toolCalls?: ToolCall[];
  finishReason?: FinishReason;
  usage: TokenUsage;
  costUsd: number;
  cached: boolean;
  /** Which cache entry answered, and how old it was (when `cached`). */
  cacheHit?: { kind: 'exact' | 'semantic'; key: string; ageMs: number; similarity?: number };
  attempts: Attempt[];
  /** Why the models were tried in this order. */
  routeDecision: string;
  /** The output came from the seed's regex fallback, not from valid JSON. */
  regexFallback?: boolean;
}
