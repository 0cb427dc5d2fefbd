// The typed client services use: start a request and await it, or start it and come back later.
// The request id is the workflow id, so submitting the same id twice returns the same run.
import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { rootFailure } from '../common/errors.js';
import type { LlmRequest, LlmResult } from '../common/request.js';
import { type RequestStatus, statusQuery } from '../workflows/definitions.js';
import type { llmRequest } from '../workflows/llmRequest.js';
import { validateRequest } from './validateRequest.js';

export interface OrchestratorClientOptions {
  client: Client;
  taskQueue: string;
}

export interface ConnectOptions {
  address?: string;
  namespace?: string;
  taskQueue?: string;
}

export type RequestHandle = WorkflowHandle<typeof llmRequest>;

export class OrchestratorClient {
  readonly temporal: Client;
  readonly taskQueue: string;

  constructor(options: OrchestratorClientOptions) {
    this.temporal = options.client;
    this.taskQueue = options.taskQueue;
  }

  /** Connects with TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and LLM_TASK_QUEUE unless told otherwise. */
  static async connect(options: ConnectOptions = {}): Promise<OrchestratorClient> {
    const connection = await Connection.connect({
      address: options.address ?? process.env.TEMPORAL_ADDRESS ?? 'localhost:7233',
    });
    const client = new Client({
      connection,
      namespace: options.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default',
    });
    return new OrchestratorClient({
      client,
      taskQueue: options.taskQueue ?? process.env.LLM_TASK_QUEUE ?? 'llm-requests',
    });
  }

  /** Starts the request, or returns the existing run when this request id was submitted before. */
  async start(request: LlmRequest): Promise<RequestHandle> {
    validateRequest(request);
    try {
      return await this.temporal.workflow.start<typeof llmRequest>('llmRequest', {
        workflowId: request.requestId,
        taskQueue: this.taskQueue,
        args: [request],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return this.handle(request.requestId);
      throw error;
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
      return await this.handle(requestId).result();
    } catch (error) {
      if (error instanceof WorkflowFailedError) throw rootFailure(error) ?? error;
      throw error;
    }
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
