// Types of the model catalog and the task routing table (data in `config/`, loaded and validated by
// `config/load.ts`). Pure, so the workflow can carry a model's spec in its plan.

/**
 * A provider's name as the model catalog spells it: a kind of the provider table (`openai`,
 * `anthropic`) or any name an `openai-compatible` entry chooses (`groq`, `vllm-eu`). It is a plain
 * string on purpose: the table's constructors live in core/providers/kinds.ts, which common/ may not
 * import, and a new compatible endpoint is catalog data, not a change to a closed union. The worker
 * checks every catalog entry against the table when it starts (core/providers/catalogCheck.ts).
 */
export type ProviderName = string;

export interface ModelPricing {
  /** US dollars per million input tokens. */
  inputPerMillion: number;
  /** US dollars per million output tokens. */
  outputPerMillion: number;
  /** US dollars per million input tokens served from the provider's prompt cache. */
  cachedInputPerMillion?: number;
}

export interface ModelSpec {
  /** Our id for the model, used in requests, routes and metrics. */
  id: string;
  provider: ProviderName;
  /** The name the provider's API expects. */
  providerModel: string;
  capabilities: string[];
  contextWindow: number;
  maxOutputTokens: number;
  pricing: ModelPricing;
  typicalLatencyMs: number;
  /** Tokenizer used to count this model's tokens (js-tiktoken encoding, or `anthropic` estimate). */
  tokenizer: string;
  /** Supports native structured output (OpenAI json_schema / Anthropic tool input schema). */
  structuredOutput: boolean;
  /** The provider table's kind that calls this model; the provider's name when absent. */
  kind?: string;
  /** Where the kind's API answers (`openai-compatible` entries; other kinds take it from the environment). */
  baseURL?: string;
  /** The NAME of the environment variable holding the key (never the key itself). */
  apiKeyEnv?: string;
  /** Extra HTTP headers; `${VAR}` in a value is replaced by that environment variable in the worker. */
  headers?: Record<string, string>;
  /** Extra query parameters on every call (Azure OpenAI's `api-version`); `${VAR}` as in headers. */
  queryParams?: Record<string, string>;
}

export interface TaskRoute {
  taskType: string;
  preferredModels: string[];
  requiredCapabilities: string[];
  fallbackModels: string[];
  /** Max input + output tokens for one request of this task type. */
  tokenBudget: number;
  /** Output tokens reserved when the request does not say. */
  defaultMaxOutputTokens: number;
  cacheTtlSeconds: number;
}

export interface ModelCatalog {
  models: Record<string, ModelSpec>;
  defaultModel: string;
  /** Date the prices were taken from the providers' published price lists. */
  pricesAsOf: string;
}

export interface RoutingPolicy {
  retry: {
    maxAttempts: number;
    initialIntervalMs: number;
    backoffCoefficient: number;
    maxIntervalMs: number;
  };
  /** Re-asks of the same model with validation errors before the next model. */
  maxRepairs: number;
  circuit: { failureThreshold: number; cooldownSeconds: number };
  /**
   * How each model of a chain runs: `child` (the default) as its own modelCall child workflow, so the
   * UI lists every model as a workflow; `inline` as the same steps in the request's own history,
   * which saves a child's start and two workflow tasks per request (see bench/README.md).
   */
  modelCalls?: ModelCallMode;
}

export type ModelCallMode = 'child' | 'inline';

export interface RoutingTable {
  routes: Record<string, TaskRoute>;
  policy: RoutingPolicy;
  /** Route used for task types the table does not name. */
  defaultRoute: string;
}

/** Cost in US dollars of a call with the given usage on the given model. */
export function costUsd(
  pricing: ModelPricing,
  usage: { inputTokens: number; outputTokens: number; cachedInputTokens?: number },
): number {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const cachedRate = pricing.cachedInputPerMillion ?? pricing.inputPerMillion;
  const dollars =
    ((usage.inputTokens - cached) * pricing.inputPerMillion +
      cached * cachedRate +
      usage.outputTokens * pricing.outputPerMillion) /
    1_000_000;
  // Round to a millionth of a cent so sums are stable and JSON stays short.
  return Math.round(dollars * 1e8) / 1e8;
}
