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

/**
 * US dollars per million tokens of each kind a provider bills. Only input and output are required;
 * each other rate defaults to the rate that bills the same tokens when the provider has no discount
 * or surcharge for them, so a catalog entry states only what differs.
 */
export interface PriceRates {
  /** Uncached input tokens. */
  inputPerMillion: number;
  /** Output tokens (reasoning included unless reasoningPerMillion says otherwise). */
  outputPerMillion: number;
  /** Input read from the prompt cache. Default inputPerMillion (Anthropic 0.1 x, OpenAI 0.5 x or 0.1 x). */
  cachedInputPerMillion?: number;
  /** Input written to the prompt cache for 5 minutes. Default inputPerMillion (Anthropic 1.25 x). */
  cacheWrite5mPerMillion?: number;
  /** Input written to the prompt cache for 1 hour. Default cacheWrite5mPerMillion (Anthropic 2 x). */
  cacheWrite1hPerMillion?: number;
  /** Reasoning (thinking) output tokens. Default outputPerMillion (both providers bill them as output). */
  reasoningPerMillion?: number;
  /** Image input tokens, where the provider counts them apart. Default inputPerMillion. */
  imageInputPerMillion?: number;
}

/** Rates that replace the base rates above a prompt length (long-context pricing). */
export interface PromptLengthTier extends Partial<PriceRates> {
  /** The tier applies when the call's whole prompt (inputTokens, cache included) is above this. */
  aboveInputTokens: number;
}

export interface ModelPricing extends PriceRates {
  /** Higher rates for long prompts; the tier with the highest threshold below the prompt applies. */
  longContext?: PromptLengthTier[];
  /**
   * Rates per service tier the provider reports having served the call (`flex`, `priority`,
   * `batch`), replacing the base rates they name; a tier not listed is billed at the base rates.
   * A long-context tier's rates apply on top.
   */
  serviceTiers?: Record<string, Partial<PriceRates>>;
  /**
   * The Batch API's discount off the base rates, 0..1 (default 0.5, both providers' half price):
   * a call served by the `batch` tier without rates of its own in `serviceTiers` is billed so.
   */
  batchDiscount?: number;
}

/** Half price: OpenAI's Batch API and Anthropic's Message Batches both bill 50% of the base rates. */
export const DEFAULT_BATCH_DISCOUNT = 0.5;

/** The service tier a Batch API answer is billed at. */
export const BATCH_SERVICE_TIER = 'batch';

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

/** An embedding model the semantic cache may call: who bills it and at what price. */
export interface EmbeddingModelSpec {
  provider: ProviderName;
  /** Embeddings bill input only: inputPerMillion (outputPerMillion is 0). */
  pricing: ModelPricing;
}

export interface ModelCatalog {
  models: Record<string, ModelSpec>;
  /** Embedding models, by the name the provider's API expects; absent in catalogs that predate them. */
  embeddingModels?: Record<string, EmbeddingModelSpec>;
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
    /** See ProviderRetry.heartbeatTimeoutMs (common/plan.ts); default 10 s. */
    heartbeatTimeoutMs?: number;
  };
  /** Re-asks of the same model with validation errors before the next model. */
  maxRepairs: number;
  circuit: { failureThreshold: number; cooldownSeconds: number };
  /**
   * How each model of a chain runs. `child` (the default): the first model in the request's own
   * history (the fast path), each model fallen back to as its own modelCall child workflow, so the UI
   * lists every fallback as a workflow; `inline`: every model in the request's own history;
   * `every-child`: every model a child, the first too (the shape before the fast path, kept for
   * comparison). See bench/README.md for what each costs.
   */
  modelCalls?: ModelCallMode;
}

export type ModelCallMode = 'child' | 'inline' | 'every-child';

export interface RoutingTable {
  routes: Record<string, TaskRoute>;
  policy: RoutingPolicy;
  /** Route used for task types the table does not name. */
  defaultRoute: string;
}

/** The usage costUsd prices: TokenUsage's counts (common/request.ts), each optional part absent = 0. */
export interface PricedUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
  cacheWrite1hTokens?: number;
  reasoningTokens?: number;
  imageInputTokens?: number;
  serviceTier?: string;
}

/** The rates that bill a call: the base, then its service tier's, then its prompt length's. */
export function ratesFor(pricing: ModelPricing, usage: PricedUsage): Required<PriceRates> {
  const tier = usage.serviceTier
    ? (pricing.serviceTiers?.[usage.serviceTier] ??
      (usage.serviceTier === BATCH_SERVICE_TIER ? discountedRates(pricing) : undefined))
    : undefined;
  const long = (pricing.longContext ?? [])
    .filter((t) => usage.inputTokens > t.aboveInputTokens)
    .sort((a, b) => b.aboveInputTokens - a.aboveInputTokens)[0];
  const { aboveInputTokens: _, ...longRates } = long ?? { aboveInputTokens: 0 };
  const r: PriceRates = { ...pick(pricing), ...tier, ...longRates };
  const cacheWrite5m = r.cacheWrite5mPerMillion ?? r.inputPerMillion;
  return {
    inputPerMillion: r.inputPerMillion,
    outputPerMillion: r.outputPerMillion,
    cachedInputPerMillion: r.cachedInputPerMillion ?? r.inputPerMillion,
    cacheWrite5mPerMillion: cacheWrite5m,
    cacheWrite1hPerMillion: r.cacheWrite1hPerMillion ?? cacheWrite5m,
    reasoningPerMillion: r.reasoningPerMillion ?? r.outputPerMillion,
    imageInputPerMillion: r.imageInputPerMillion ?? r.inputPerMillion,
  };
}

function pick(pricing: ModelPricing): PriceRates {
  const { longContext: _, serviceTiers: __, batchDiscount: ___, ...rates } = pricing;
  return rates;
}

/** The base rates less the model's batch discount (rates keep at most 8 decimals, as the catalog's). */
function discountedRates(pricing: ModelPricing): PriceRates {
  const keep = 1 - (pricing.batchDiscount ?? DEFAULT_BATCH_DISCOUNT);
  const scaled = Object.entries(pick(pricing)).map(([name, rate]) => [
    name,
    Math.round((rate as number) * keep * 1e8) / 1e8,
  ]);
  return Object.fromEntries(scaled) as unknown as PriceRates;
}

/** The kinds of tokens a call is billed for, each at its own rate. */
export const COST_KINDS = [
  'input',
  'cachedInput',
  'cacheWrite5m',
  'cacheWrite1h',
  'imageInput',
  'output',
  'reasoning',
] as const;
export type CostKind = (typeof COST_KINDS)[number];

const RATE_OF: Record<CostKind, keyof PriceRates> = {
  input: 'inputPerMillion',
  cachedInput: 'cachedInputPerMillion',
  cacheWrite5m: 'cacheWrite5mPerMillion',
  cacheWrite1h: 'cacheWrite1hPerMillion',
  imageInput: 'imageInputPerMillion',
  output: 'outputPerMillion',
  reasoning: 'reasoningPerMillion',
};

/** A call's tokens split by the kind that bills them; the parts never exceed their whole. */
export function billedTokens(usage: PricedUsage): Record<CostKind, number> {
  const reads = clamp(usage.cachedInputTokens, usage.inputTokens);
  const writes = clamp(usage.cacheWriteTokens, usage.inputTokens - reads);
  const writes1h = clamp(usage.cacheWrite1hTokens, writes);
  const images = clamp(usage.imageInputTokens, usage.inputTokens - reads - writes);
  const reasoning = clamp(usage.reasoningTokens, usage.outputTokens);
  return {
    input: usage.inputTokens - reads - writes - images,
    cachedInput: reads,
    cacheWrite5m: writes - writes1h,
    cacheWrite1h: writes1h,
    imageInput: images,
    output: usage.outputTokens - reasoning,
    reasoning,
  };
}

const clamp = (part: number | undefined, whole: number): number => Math.max(0, Math.min(part ?? 0, whole));

/** What one million tokens at a rate cost, in units of 1e-8 dollars (rates have at most 8 decimals). */
const unitsPerMillion = (ratePerMillion: number): number => Math.round(ratePerMillion * 1e8);

/**
 * What each kind of a call's tokens cost, in integer units of 1e-8 US dollars (a millionth of a
 * cent). The rounding rule: a kind's tokens times its rate, computed exactly in integers, rounded half
 * up to a whole unit; the call costs the sum of its kinds, and sums of calls add these integers, so
 * every total (per request, per day, per kind) is exact and the kinds always add up to the whole.
 */
export function costBreakdown(pricing: ModelPricing, usage: PricedUsage): Record<CostKind, number> {
  const rates = ratesFor(pricing, usage);
  const tokens = billedTokens(usage);
  const units = {} as Record<CostKind, number>;
  for (const kind of COST_KINDS)
    units[kind] = Math.round((tokens[kind] * unitsPerMillion(rates[RATE_OF[kind]])) / 1_000_000);
  return units;
}

/** Cost of one call in integer units of 1e-8 US dollars: the sum of its kinds (costBreakdown). */
export function costUnits(pricing: ModelPricing, usage: PricedUsage): number {
  const units = costBreakdown(pricing, usage);
  return COST_KINDS.reduce((sum, kind) => sum + units[kind], 0);
}

/** Cost in US dollars of a call with the given usage on the given model: costUnits / 1e8, exact. */
export function costUsd(pricing: ModelPricing, usage: PricedUsage): number {
  return costUnits(pricing, usage) / 100_000_000;
}
