import type { ErrorDialect, ErrorKind } from './errorKinds.js';
import { faultErrorKind } from './errorKinds.js';
import type { Exchange } from './exchange.js';
import type { Provider } from './faults.js';
import { holdFor, sampleDelayMs } from './latency.js';
import { contextWindowFor, findModel } from './models.js';
import type { ReplyPlan } from './replies.js';
import type { EmulatorState } from './state.js';

export interface CallCheck {
  provider: Provider;
  dialect: ErrorDialect;
  model: string;
  authError: ErrorKind | undefined;
  /** A request the real API would reject as invalid (message and offending parameter). */
  invalid: { message: string; param?: string; code?: string } | undefined;
  /** Prompt size, recorded in the call log. */
  promptTokens: number;
  /** Size compared against the model's context window (the largest single input for embeddings). */
  contextTokens: number;
}

export interface Go {
  /** The call consumed a 'malformed' fault: answer 200 but in the wrong format. */
  malformed: boolean;
}

/**
 * The steps every provider call shares, in the order a real API applies them: authentication, request
 * validation, model lookup, latency, scripted faults, context window. Returns null when the call has
 * already been answered (or the client left), otherwise how to answer.
 */
export async function admit(ex: Exchange, state: EmulatorState, call: CallCheck): Promise<Go | null> {
  const { dialect, model } = call;
  if (call.authError) return refuse(ex, dialect(call.authError, {}));
  if (call.invalid) return refuse(ex, dialect('bad_request', call.invalid));
  if (state.strictModels && !findModel(model)) return refuse(ex, dialect('model_not_found', { model }));
  ex.setTokens(call.promptTokens);

  await ex.sleep(holdFor(state.latency, model) + sampleDelayMs(state.latency.distribution));
  if (ex.aborted) return null;

  const contextWindow = contextWindowFor(model);
  const fault = state.faults.take(call.provider, model);
  if (fault) {
    ex.record.fault = String(fault.status);
    const kind = faultErrorKind(fault.status);
    if (kind) {
      const details = {
        model,
        retryAfterSeconds: fault.retryAfterSeconds,
        status: typeof fault.status === 'number' ? fault.status : undefined,
      };
      return refuse(ex, dialect(kind, { ...details, promptTokens: call.contextTokens, contextWindow }));
    }
    if (fault.status === 'timeout') {
      // Hold the connection like a hung upstream; the client normally gives up first.
      await ex.sleep(state.timeoutHoldMs);
      return refuse(ex, dialect('timeout', { model }));
    }
  }
  if (call.contextTokens > contextWindow) {
    return refuse(ex, dialect('context_length', { model, promptTokens: call.contextTokens, contextWindow }));
  }
  return { malformed: fault?.status === 'malformed' };
}

function refuse(ex: Exchange, answer: ReturnType<ErrorDialect>): null {
  ex.sendError(answer);
  return null;
}

/** Plans the reply; a schema the generator cannot satisfy is answered as the invalid request it is. */
export function planOrRefuse(ex: Exchange, dialect: ErrorDialect, plan: () => ReplyPlan): ReplyPlan | null {
  try {
    return plan();
  } catch (error) {
    const message = `Invalid schema: ${error instanceof Error ? error.message : String(error)}`;
    return refuse(ex, dialect('bad_request', { message }));
  }
}
