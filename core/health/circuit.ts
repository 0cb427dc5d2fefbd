// Per-model circuit breaker: consecutive provider failures open a circuit for a cooldown, planning
// skips open circuits, and after the cooldown one half-open probe decides whether it closes again.
// This is the in-process store; a Redis store with the same interface shares state across workers.

export type CircuitStatus = 'closed' | 'open' | 'half_open';

export interface CircuitState {
  model: string;
  status: CircuitStatus;
  consecutiveFailures: number;
  /** Epoch ms when an open circuit lets a probe through. */
  openUntil?: number;
  lastErrorType?: string;
}

export interface CircuitSettings {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  cooldownMs: number;
}

export interface HealthStore {
  state(model: string): Promise<CircuitState>;
  all(): Promise<CircuitState[]>;
  recordSuccess(model: string): Promise<void>;
  recordFailure(model: string, errorType: string): Promise<void>;
}

/**
 * Failures that say nothing about the model's health: this request's own problems, and rate
 * limits, which the provider's retry-after and our limiter already pace.
 */
const REQUEST_SPECIFIC = new Set([
  'RateLimitError',
  'BadRequestError',
  'ContextLengthExceededError',
  'ContentPolicyError',
  'InvalidResponseError',
  'CircuitOpenError',
]);

export function countsAgainstHealth(errorType: string): boolean {
  return !REQUEST_SPECIFIC.has(errorType);
}

export const defaultCircuitSettings: CircuitSettings = { failureThreshold: 5, cooldownMs: 30_000 };

export class InProcessHealthStore implements HealthStore {
  private readonly circuits = new Map<string, CircuitState>();

  constructor(
    private readonly settings: CircuitSettings = defaultCircuitSettings,
    private readonly now: () => number = Date.now,
  ) {}

  async state(model: string): Promise<CircuitState> {
    const circuit = this.circuits.get(model);
    if (!circuit) return { model, status: 'closed', consecutiveFailures: 0 };
    if (circuit.status === 'open' && circuit.openUntil !== undefined && circuit.openUntil <= this.now()) {
      return { ...circuit, status: 'half_open' };
    }
    return { ...circuit };
  }

  async all(): Promise<CircuitState[]> {
    return Promise.all([...this.circuits.keys()].map((model) => this.state(model)));
  }

  async recordSuccess(model: string): Promise<void> {
    this.circuits.delete(model);
  }

  async recordFailure(model: string, errorType: string): Promise<void> {
    if (!countsAgainstHealth(errorType)) return;
    const current = await this.state(model);
    const failures = current.consecutiveFailures + 1;
    // A failed half-open probe re-opens at once; otherwise the threshold decides.
    const opens = current.status === 'half_open' || failures >= this.settings.failureThreshold;
    this.circuits.set(model, {
      model,
      status: opens ? 'open' : 'closed',
      consecutiveFailures: failures,
      lastErrorType: errorType,
      ...(opens ? { openUntil: this.now() + this.settings.cooldownMs } : {}),
    });
  }
}
