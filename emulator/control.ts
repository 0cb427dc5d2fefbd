import type { FastifyInstance, FastifyReply } from 'fastify';
import { parseFaultSpec } from './faults.js';
import { applyLatencyUpdate, type LatencyUpdate } from './latency.js';
import { isObject } from './requestFields.js';
import { type EmulatorState, resetState } from './state.js';
import { parseInvalidArgumentsSpec } from './toolArgumentsControl.js';
import { parseUsageOverride } from './usageControl.js';

/** The test-facing control API under /_emulator; never part of either provider's surface. */
export function registerControlRoutes(app: FastifyInstance, state: EmulatorState): void {
  app.get('/_emulator/health', async () => ({ ok: true }));

  app.get('/_emulator/faults', async () => state.faults.list());
  app.delete('/_emulator/faults', async () => {
    state.faults.clear();
    return { cleared: true };
  });
  // One fault object, or an array of them to queue several at once.
  app.post('/_emulator/faults', async (request, reply) =>
    guard(reply, () => {
      const body = request.body;
      if (Array.isArray(body)) return body.map((b) => state.faults.add(parseFaultSpec(b)));
      return state.faults.add(parseFaultSpec(body));
    }),
  );

  app.get('/_emulator/calls', async () => state.calls.list());
  app.delete('/_emulator/calls', async () => {
    state.calls.clear();
    return { cleared: true };
  });

  app.get('/_emulator/latency', async () => state.latency);
  app.post('/_emulator/latency', async (request, reply) =>
    guard(reply, () => {
      if (!isObject(request.body)) throw new Error('latency update must be a JSON object');
      state.latency = applyLatencyUpdate(state.latency, request.body as LatencyUpdate);
      return state.latency;
    }),
  );

  // Usage to report per model: { model, cacheReadTokens, cacheWriteTokens, cacheWriteTtl, reasoningTokens }.
  app.get('/_emulator/usage', async () => state.usage.list());
  app.post('/_emulator/usage', async (request, reply) =>
    guard(reply, () => state.usage.set(parseUsageOverride(request.body))),
  );
  // DELETE /_emulator/usage clears every model's settings; ?model=… only that model's.
  app.delete('/_emulator/usage', async (request) => {
    const query = request.query as Record<string, unknown>;
    const model = typeof query.model === 'string' ? query.model : undefined;
    state.usage.delete(model);
    return model === undefined ? { cleared: true } : { cleared: true, model };
  });

  // The next N tool-call replies for a model carry schema-invalid arguments: { model, times?, provider? }.
  app.get('/_emulator/invalid-tool-arguments', async () => state.invalidArguments.list());
  app.post('/_emulator/invalid-tool-arguments', async (request, reply) =>
    guard(reply, () => state.invalidArguments.add(parseInvalidArgumentsSpec(request.body))),
  );
  app.delete('/_emulator/invalid-tool-arguments', async () => {
    state.invalidArguments.clear();
    return { cleared: true };
  });

  // Batches: { processingMs, failLinesContaining: [..], expireModels: [..] }; GET lists every batch.
  app.get('/_emulator/batches', async () => ({
    controls: state.batches.controls,
    batches: state.batches.list(),
  }));
  app.post('/_emulator/batches', async (request, reply) =>
    guard(reply, () => state.batches.setControls(request.body)),
  );

  app.post('/_emulator/reset', async () => {
    resetState(state);
    return { reset: true };
  });
}

/** Bad control requests get a plain 400 with the reason. */
function guard<T>(reply: FastifyReply, action: () => T): T | { error: string } {
  try {
    return action();
  } catch (error) {
    reply.code(400);
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
