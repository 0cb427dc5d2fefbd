import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { registerAnthropicMessages } from './anthropic.js';
import { registerAnthropicBatches } from './anthropicBatches.js';
import { registerAnthropicCountTokens } from './anthropicCountTokens.js';
import { anthropicError } from './anthropicErrors.js';
import { looksAnthropic } from './auth.js';
import type { BatchControls } from './batchStore.js';
import type { CallRecord } from './callLog.js';
import { registerControlRoutes } from './control.js';
import type { ErrorDialect } from './errorKinds.js';
import { type FaultSpec, parseFaultSpec, type QueuedFault } from './faults.js';
import { applyLatencyUpdate, type LatencySettings, type LatencyUpdate } from './latency.js';
import { registerModelRoutes } from './modelsRoute.js';
import { registerOpenAiChat } from './openai.js';
import { registerOpenAiBatches } from './openaiBatches.js';
import { registerOpenAiEmbeddings } from './openaiEmbeddings.js';
import { openaiError } from './openaiErrors.js';
import { createState, type EmulatorState, resetState, type StateOptions } from './state.js';
import {
  type InvalidArgumentsSpec,
  parseInvalidArgumentsSpec,
  type QueuedInvalidArguments,
} from './toolArgumentsControl.js';
import { parseUsageOverride, type UsageOverride } from './usageControl.js';

export interface EmulatorOptions extends StateOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Fastify request logging, off by default to keep test output clean. */
  logger?: boolean;
}

/** A running emulator, controllable in-process with the same operations as the /_emulator API. */
export interface Emulator {
  /** Root URL, e.g. http://127.0.0.1:8787; the Anthropic client's baseURL. */
  readonly url: string;
  /** `${url}/v1`, the OpenAI client's baseURL. */
  readonly openaiBaseURL: string;
  readonly port: number;
  calls(): CallRecord[];
  clearCalls(): void;
  addFault(spec: FaultSpec): QueuedFault;
  faults(): QueuedFault[];
  clearFaults(): void;
  latency(): LatencySettings;
  setLatency(update: LatencyUpdate): LatencySettings;
  /** Cache and reasoning tokens to report for a model ('*' for all); omitted numbers are 0. */
  setUsage(override: Partial<UsageOverride> & { model: string }): UsageOverride;
  /** Forgets one model's usage settings, or all of them. */
  clearUsage(model?: string): void;
  usageSettings(): UsageOverride[];
  /** Makes the next tool-call replies for a model carry schema-invalid arguments. */
  addInvalidToolArguments(spec: InvalidArgumentsSpec): QueuedInvalidArguments;
  invalidToolArguments(): QueuedInvalidArguments[];
  /** How long batches take, which lines fail, which models' batches expire (POST /_emulator/batches). */
  setBatchControls(update: Partial<BatchControls>): BatchControls;
  /** Every batch of both APIs, with its state and line count. */
  batches(): ReturnType<EmulatorState['batches']['list']>;
  /** Clears faults, calls, usage settings and invalid-argument entries, and restores the startup latency. */
  reset(): void;
  /** Stops listening; held and streaming connections are dropped (and logged as aborted). */
  close(): Promise<void>;
}

export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state = createState(options);
  const app = buildApp(options.logger ?? false);
  registerOpenAiChat(app, state);
  registerOpenAiEmbeddings(app, state);
  registerAnthropicMessages(app, state);
  registerAnthropicCountTokens(app, state);
  registerOpenAiBatches(app, state);
  registerAnthropicBatches(app, state);
  registerModelRoutes(app, state);
  registerControlRoutes(app, state);

  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${urlHost(host)}:${port}`;
  return {
    url,
    openaiBaseURL: `${url}/v1`,
    port,
    calls: () => state.calls.list(),
    clearCalls: () => state.calls.clear(),
    // Same validation as the HTTP API, so in-process tests get the same errors for bad specs.
    addFault: (spec) => state.faults.add(parseFaultSpec(spec)),
    faults: () => state.faults.list(),
    clearFaults: () => state.faults.clear(),
    latency: () => state.latency,
    setLatency: (update) => {
      state.latency = applyLatencyUpdate(state.latency, update);
      return state.latency;
    },
    setUsage: (override) => state.usage.set(parseUsageOverride(override)),
    clearUsage: (model) => state.usage.delete(model),
    usageSettings: () => state.usage.list(),
    addInvalidToolArguments: (spec) => state.invalidArguments.add(parseInvalidArgumentsSpec(spec)),
    invalidToolArguments: () => state.invalidArguments.list(),
    setBatchControls: (update) => state.batches.setControls(update),
    batches: () => state.batches.list(),
    reset: () => resetState(state),
    close: () => app.close(),
  };
}

/** createEmulator plus a line telling a human where it listens. */
export async function startEmulator(
  options: EmulatorOptions = {},
  log: (line: string) => void = console.log,
): Promise<Emulator> {
  const emulator = await createEmulator(options);
  log(`LLM provider emulator listening on ${emulator.url}`);
  log(`  OpenAI baseURL: ${emulator.openaiBaseURL}   Anthropic baseURL: ${emulator.url}`);
  return emulator;
}

function buildApp(logger: boolean): FastifyInstance {
  const app = Fastify({
    logger,
    bodyLimit: 100 * 1024 * 1024, // context-length tests send very large prompts
    forceCloseConnections: true, // close() must not wait for held 'timeout' connections
    genReqId: () => `req_${randomBytes(12).toString('hex')}`,
  });
  // Both providers' request-id headers on every answer; SDKs surface them on errors.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('request-id', request.id);
  });
  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    const answer = dialectFor(request)(status === 400 ? 'bad_request' : 'other', {
      status,
      message: error.message,
    });
    reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const answer = dialectFor(request)('not_found', {
      message: `Invalid URL (${request.method} ${request.url})`,
    });
    reply.code(answer.status).send(answer.body);
  });
  return app;
}

function dialectFor(request: FastifyRequest): ErrorDialect {
  return request.url.startsWith('/v1/messages') || looksAnthropic(request.headers)
    ? anthropicError
    : openaiError;
}

/** A URL a client on this machine can use, whatever interface the server is bound to. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
