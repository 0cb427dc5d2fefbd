// The worker's Prometheus metrics: the seed's families and labels, plus retries, fallbacks, repairs,
// rate-limit waits, circuit state and cost per caller. Each instance owns its registry (never the
// global one), so tests can run several side by side; `recordRequestOutcome` fills them.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CircuitState, CircuitStatus } from '../core/health/circuit.js';

/** Latency buckets in seconds, as in the seed. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.1, 0.5, 1, 2, 5, 10, 30, 60];

/** `llm_circuit_state` values. */
export const CIRCUIT_STATE_VALUE: Record<CircuitStatus, number> = { closed: 0, half_open: 1, open: 2 };

/** Where the circuit gauge reads per-model breaker state at scrape time (the worker's HealthStore). */
export type CircuitSource = () => Promise<CircuitState[]>;

export interface OrchestratorMetricsOptions {
  circuits?: CircuitSource;
  /** Node's process metrics (CPU, memory, event loop, GC); on by default. */
  defaultMetrics?: boolean;
}

export class OrchestratorMetrics {
  readonly registry: Registry = new Registry();
  readonly requests: Counter<'task_type' | 'model' | 'status'>;
  readonly latency: Histogram<'task_type' | 'model'>;
  readonly tokens: Counter<'task_type' | 'model' | 'token_type'>;
  readonly cost: Counter<'task_type' | 'model'>;
  /** The same spend by kind of token (input, cachedInput, cacheWrite5m, ..., embedding). */
  readonly costByKind: Counter<'task_type' | 'model' | 'kind'>;
  readonly cacheHits: Counter<'task_type'>;
  readonly errors: Counter<'task_type' | 'model' | 'error_type'>;
  readonly fallbacks: Counter<'task_type' | 'from_model' | 'to_model'>;
  readonly retries: Counter<'task_type' | 'model' | 'error_type'>;
  readonly rateLimitWaits: Counter<'model'>;
  readonly repairs: Counter<'task_type' | 'model'>;
  readonly costByCaller: Counter<'caller'>;
  readonly circuitState: Gauge<'model'>;
  private circuits: CircuitSource | undefined;
  /** Models whose circuit was ever reported, so a closed (forgotten) circuit reads 0, not absent. */
  private readonly circuitModels = new Set<string>();

  constructor(options: OrchestratorMetricsOptions = {}) {
    const registers = [this.registry];
    this.circuits = options.circuits;
    this.requests = new Counter({
      name: 'llm_requests_total',
      help: 'Total number of LLM requests',
      labelNames: ['task_type', 'model', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'llm_request_latency_seconds',
      help: 'LLM request latency in seconds',
      labelNames: ['task_type', 'model'],
      buckets: [...LATENCY_BUCKETS_SECONDS],
      registers,
    });
    this.tokens = new Counter({
      name: 'llm_token_usage_total',
      help: 'Total number of tokens used (token_type: input, output, cached_input, cache_write, cache_write_1h, reasoning, image_input)',
      labelNames: ['task_type', 'model', 'token_type'],
      registers,
    });
    this.cost = new Counter({
      name: 'llm_request_cost_dollars',
      help: 'Cost of LLM requests in dollars',
      labelNames: ['task_type', 'model'],
      registers,
    });
    this.costByKind = new Counter({
      name: 'llm_cost_by_kind_dollars',
      help: 'Cost of provider calls in dollars by kind of token (kind: input, cachedInput, cacheWrite5m, cacheWrite1h, imageInput, output, reasoning, embedding)',
      labelNames: ['task_type', 'model', 'kind'],
      registers,
    });
    this.cacheHits = new Counter({
      name: 'llm_cache_hits_total',
      help: 'Total number of cache hits',
      labelNames: ['task_type'],
      registers,
    });
    this.errors = new Counter({
      name: 'llm_errors_total',
      help: 'Total number of LLM errors: each failed provider call, and each failed request',
      labelNames: ['task_type', 'model', 'error_type'],
      registers,
    });
    this.fallbacks = new Counter({
      name: 'llm_fallbacks_total',
      help: 'Times a request moved from one model to the next of its chain',
      labelNames: ['task_type', 'from_model', 'to_model'],
      registers,
    });
    this.retries = new Counter({
      name: 'llm_retries_total',
      help: 'Times a model was tried again after a failed try',
      labelNames: ['task_type', 'model', 'error_type'],
      registers,
    });
    this.rateLimitWaits = new Counter({
      name: 'llm_rate_limit_waits_total',
      help: 'Provider calls answered with a rate limit (429)',
      labelNames: ['model'],
      registers,
    });
    this.repairs = new Counter({
      name: 'llm_validation_repairs_total',
      help: 'Times a model was re-asked with the validation errors of its answer',
      labelNames: ['task_type', 'model'],
      registers,
    });
    this.costByCaller = new Counter({
      name: 'llm_request_cost_by_caller_dollars',
      help: 'Cost of LLM requests in dollars by calling service',
      labelNames: ['caller'],
      registers,
    });
    const metrics = this;
    this.circuitState = new Gauge({
      name: 'llm_circuit_state',
      help: 'Circuit breaker state per model: 0 closed, 1 half-open, 2 open',
      labelNames: ['model'],
      registers,
      async collect() {
        await metrics.collectCircuits(this);
      },
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Reads circuit state from `source` at each scrape (set once the worker's health store exists). */
  watchCircuits(source: CircuitSource): void {
    this.circuits = source;
  }

  /** The exposition text Prometheus scrapes. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every sample name a scrape can contain (histograms add _bucket, _sum and _count). */
  async sampleNames(): Promise<Set<string>> {
    const names = new Set<string>();
    for (const metric of await this.registry.getMetricsAsJSON()) {
      // prom-client's typings declare a numeric enum; the values are the strings of the text format.
      const type = String(metric.type);
      if (type === 'histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
      else if (type === 'summary')
        for (const suffix of ['', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
      else names.add(metric.name);
    }
    return names;
  }

  private async collectCircuits(gauge: Gauge<'model'>): Promise<void> {
    if (!this.circuits) return;
    const states = await this.circuits();
    for (const state of states) this.circuitModels.add(state.model);
    const byModel = new Map(states.map((s) => [s.model, CIRCUIT_STATE_VALUE[s.status]]));
    for (const model of this.circuitModels) gauge.set({ model }, byModel.get(model) ?? 0);
  }
}
