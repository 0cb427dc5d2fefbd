// The typed client services use: start a request and await it, or start it and come back later.
// The request id is the workflow id, so submitting the same id twice returns the same run.
import {
  Client,
  type ClientInterceptors,
  Connection,
  type ConnectionLike,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { type DataConverter, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { ConfigError, rootFailure } from '../common/errors.js';
import type { LlmRequest, LlmResult } from '../common/request.js';
import { readTemporalSettings } from '../config/env.js';
import type { Backend } from '../core/backend.js';
import type { StreamReader } from '../core/streaming/types.js';
import { type RequestStatus, statusQuery } from '../workflows/definitions.js';
import type { llmRequest } from '../workflows/llmRequest.js';
import { startSearchAttributes } from '../workflows/searchAttributes.js';
import { waitThroughBusyServer } from './busyServer.js';
import { searchAttributeNotRegistered } from './searchAttributeErrors.js';
import { followRequest, type RequestStreamEvent } from './stream.js';
import { validateRequest } from './validateRequest.js';

/**
 * How a request's workflow is started: its id is the request id (a duplicate joins the same run), and
 * it is searchable by task type, template, caller and status from its first event.
 */
export function requestStartOptions(request: LlmRequest, taskQueue: string) {
  return {
    workflowId: request.requestId,
    taskQueue,
    args: [request] as [LlmRequest],
    typedSearchAttributes: startSearchAttributes(request),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    ...(request.caller ? { memo: { caller: request.caller } satisfies RequestMemo } : {}),
  };
}

export interface OrchestratorClientOptions {
  client: Client;
  taskQueue: string;
  /** Where streaming requests' events are read from; `stream()` needs it. */
  streams?: StreamReader;
  /**
   * Eager workflow start: the server hands the request's first workflow task straight back to the
   * worker in this process, saving a task queue round trip. Only for a client built on that worker's
   * own NativeConnection (the SDK refuses otherwise); the server falls back to a normal start when
   * the worker has no free slot.
   */
  eagerStart?: boolean;
}

export interface ConnectOptions {
  address?: string;
  namespace?: string;
  taskQueue?: string;
  /** Default: Redis Streams at REDIS_URL, else this process's in-process store. */
  streams?: StreamReader;
  /** Payload codecs (encryption, claim check); default: what the environment configures (codec/). */
  dataConverter?: DataConverter;
  /** Client interceptors, e.g. OpenTelemetry's: a span per request start, carried into the workflow. */
  interceptors?: ClientInterceptors;
  /**
   * A worker's NativeConnection in this same process: the client is built on it (instead of a
   * connection of its own, which `close()` then leaves open) and starts requests eagerly.
   */
  workerConnection?: ConnectionLike;
}

export interface StreamOptions {
  /** Continue after this entry id (the `id` of the last event seen) instead of from the start. */
  afterId?: string;
  /** Stop following; the iteration then ends without a result. */
  signal?: AbortSignal;
}

/** Memo every request carries: who asked, readable before the workflow's first step runs. */
export interface RequestMemo {
  caller?: string;
}

export type RequestHandle = WorkflowHandle<typeof llmRequest>;

// The codecs and stream stores the environment configures, loaded only when connect() is not given
// its own. They need `ioredis`, an optional peer dependency of the client package: without it a
// service connects with Temporal's default converter and no stream reader, unless the environment
// asks for a codec or Redis, which then fails loudly rather than sending plaintext.
const CODEC_VARIABLES = [
  'PAYLOAD_ENCRYPTION_KEY',
  'PAYLOAD_DECRYPTION_KEYS',
  'CLAIM_CHECK_STORE',
  'CLAIM_CHECK_DIR',
  'CLAIM_CHECK_THRESHOLD_BYTES',
];

async function fromEnvironment<T>(load: () => Promise<T>, asked: string[]): Promise<T | undefined> {
  try {
    return await load();
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    const set = asked.filter((name) => process.env[name]);
    if (!set.length) return undefined;
    throw new ConfigError(`${set.join(', ')} set, but ${(error as Error).message}: npm install ioredis`, {
      cause: error as Error,
    });
  }
}

const environmentDataConverter = (): Promise<DataConverter | undefined> =>
  fromEnvironment(
    async () => (await import('../codec/index.js')).dataConverterFromEnv(process.env),
    CODEC_VARIABLES,
  );

/** The stream store (on Redis when REDIS_URL is set) from the one backend factory, connecting lazily. */
const environmentBackend = (): Promise<Backend | undefined> =>
  fromEnvironment(async () => {
    const [{ createBackend }, { readBackendSettings }] = await Promise.all([
      import('../core/backend.js'),
      import('../config/env.js'),
    ]);
    return createBackend({ settings: readBackendSettings(), lazyConnect: true });
  }, ['REDIS_URL']);

export class OrchestratorClient {
  readonly temporal: Client;
  readonly taskQueue: string;
  readonly streams: StreamReader | undefined;
  readonly eagerStart: boolean;
  private ownedBackend: Backend | undefined;
  private ownsConnection = true;

  constructor(options: OrchestratorClientOptions) {
    this.temporal = options.client;
    this.taskQueue = options.taskQueue;
    this.streams = options.streams;
    this.eagerStart = options.eagerStart ?? false;
  }

  /** Connects with TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and LLM_TASK_QUEUE unless told otherwise. */
  static async connect(options: ConnectOptions = {}): Promise<OrchestratorClient> {
    const defaults = readTemporalSettings();
    const connection =
      options.workerConnection ??
      (await Connection.connect({ address: options.address ?? defaults.address }));
    const client = new Client({
      connection,
      ...(options.interceptors ? { interceptors: options.interceptors } : {}),
      namespace: options.namespace ?? defaults.namespace,
      dataConverter: options.dataConverter ?? (await environmentDataConverter()),
    });
    // Lazy: a client that never streams never connects to Redis.
    const backend = options.streams ? undefined : await environmentBackend();
    const streams = options.streams ?? backend?.streams;
    const orchestrator = new OrchestratorClient({
      client,
      taskQueue: options.taskQueue ?? defaults.taskQueue,
      ...(streams ? { streams } : {}),
      eagerStart: options.workerConnection !== undefined,
    });
    orchestrator.ownedBackend = backend;
    orchestrator.ownsConnection = options.workerConnection === undefined;
    return orchestrator;
  }

  /** Closes the Temporal connection and the stream store `connect()` opened (a worker's stays open). */
  async close(): Promise<void> {
    await this.ownedBackend?.close();
    if (this.ownsConnection) await this.temporal.connection.close();
  }

  /** Starts the request, or returns the existing run when this request id was submitted before. */
  async start(request: LlmRequest): Promise<RequestHandle> {
    validateRequest(request);
    try {
      return await this.temporal.workflow.start<typeof llmRequest>('llmRequest', {
        ...requestStartOptions(request, this.taskQueue),
        ...(this.eagerStart ? { requestEagerStart: true } : {}),
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return this.handle(request.requestId);
      throw searchAttributeNotRegistered(error, this.temporal.options.namespace) ?? error;
    }
  }

  /** Starts the request (or joins the existing run) and waits for its result. */
  async process(request: LlmRequest): Promise<LlmResult> {
    const handle = await this.start(request);
    return this.result(handle.workflowId);
  }

  /**
   * Waits for a request's result. A failed request throws its typed failure (an ApplicationFailure
   * whose `type` is the error class name, e.g. MissingVariablesError), not Temporal's wrapper.
   */
  async result(requestId: string): Promise<LlmResult> {
    try {
      // A server holding too many waits refuses more; the request runs on, so wait again later.
      return await waitThroughBusyServer(() => this.handle(requestId).result());
    } catch (error) {
      if (error instanceof WorkflowFailedError) throw rootFailure(error) ?? error;
      throw error;
    }
  }

  /**
   * Starts the request with streaming on (or joins the existing run) and yields its events as they
   * are published, then the validated result from the workflow:
   * `for await (const event of client.stream(request)) …`. A failed request throws its typed failure.
   */
  async *stream(request: LlmRequest, options: StreamOptions = {}): AsyncGenerator<RequestStreamEvent, void> {
    const reader = this.requireStreams();
    await this.start({ ...request, stream: true });
    yield* this.followWith(reader, request.requestId, options);
  }

  /** Re-attaches to a started request's stream, e.g. after a disconnect, from `options.afterId`. */
  async *follow(requestId: string, options: StreamOptions = {}): AsyncGenerator<RequestStreamEvent, void> {
    yield* this.followWith(this.requireStreams(), requestId, options);
  }

  private followWith(
    reader: StreamReader,
    requestId: string,
    options: StreamOptions,
  ): AsyncGenerator<RequestStreamEvent, void> {
    return followRequest({
      reader,
      requestId,
      result: this.result(requestId),
      ...(options.afterId ? { afterId: options.afterId } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  private requireStreams(): StreamReader {
    if (this.streams) return this.streams;
    throw new ConfigError(
      'streaming needs a stream reader: pass `streams` to OrchestratorClient, or set REDIS_URL before connect()',
    );
  }

  async status(requestId: string): Promise<RequestStatus> {
    return this.handle(requestId).query(statusQuery);
  }

  async cancel(requestId: string): Promise<void> {
    await this.handle(requestId).cancel();
  }

  handle(requestId: string): RequestHandle {
    return this.temporal.workflow.getHandle<typeof llmRequest>(requestId);
  }
}
