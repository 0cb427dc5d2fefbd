// What `GET /v1/requests/{id}` answers: the request's status, then its result or its typed error, and
// every attempt so far. A request belongs to the caller whose key started it; to anyone else it does not
// exist (404), so request ids reveal nothing across callers.
import { type WorkflowHandle, WorkflowNotFoundError } from '@temporalio/client';
import type { OrchestratorClient, RequestMemo } from '../client/client.js';
import type { Attempt, LlmResult } from '../common/request.js';
import { type ApiErrorBody, errorBody, notFound } from './errors.js';

export type RequestState = 'running' | 'completed' | 'failed' | 'cancelled' | 'terminated' | 'timed_out';

export interface RequestView {
  requestId: string;
  status: RequestState;
  /** What a running request is doing (rendering, planning, calling). */
  stage?: string;
  currentModel?: string;
  result?: LlmResult;
  error?: ApiErrorBody;
  attempts: Attempt[];
  links?: Record<string, string>;
}

const STATES: Partial<Record<string, RequestState>> = {
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
  CONTINUED_AS_NEW: 'running',
};

export function requestLinks(requestId: string): Record<string, string> {
  const self = `/v1/requests/${encodeURIComponent(requestId)}`;
  return { self, stream: `${self}/stream`, cancel: `${self}/cancel` };
}

/**
 * The workflow's state if it exists, is of the given type and belongs to this caller (the memo's
 * caller, set by the start); otherwise a 404 naming it as `what`, so ids reveal nothing across callers.
 */
export async function ownedWorkflowState(
  handle: WorkflowHandle,
  type: string,
  caller: string,
  what: string,
): Promise<RequestState> {
  let description: Awaited<ReturnType<WorkflowHandle['describe']>>;
  try {
    description = await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw notFound(what);
    throw error;
  }
  const memo = (description.memo ?? {}) as RequestMemo;
  if (description.type !== type || memo.caller !== caller) throw notFound(what);
  return STATES[description.status.name] ?? 'running';
}

/** The request's state if it exists and belongs to this caller; 404 otherwise. */
export function ownedState(
  client: OrchestratorClient,
  requestId: string,
  caller: string,
): Promise<RequestState> {
  return ownedWorkflowState(client.handle(requestId), 'llmRequest', caller, `request ${requestId}`);
}

export async function viewRequest(
  client: OrchestratorClient,
  requestId: string,
  caller: string,
): Promise<RequestView> {
  const status = await ownedState(client, requestId, caller);
  const view: RequestView = { requestId, status, attempts: [], links: requestLinks(requestId) };
  if (status === 'completed') {
    const result = await client.result(requestId);
    return { ...view, result, attempts: result.attempts };
  }
  if (status === 'failed') {
    const error = await client.result(requestId).then(
      () => undefined,
      (e: unknown) => e,
    );
    const body = errorBody(error);
    return { ...view, error: body, attempts: attemptsIn(body.details) };
  }
  const live = await client.status(requestId).catch(() => undefined);
  return {
    ...view,
    ...(live ? { attempts: live.attempts } : {}),
    ...(status === 'running' && live ? { stage: live.stage } : {}),
    ...(status === 'running' && live?.currentModel ? { currentModel: live.currentModel } : {}),
    ...(status !== 'running' ? { error: closedError(status) } : {}),
  };
}

function closedError(status: RequestState): ApiErrorBody {
  if (status === 'cancelled') return { type: 'RequestCancelledError', message: 'the request was cancelled' };
  if (status === 'timed_out') return { type: 'TimeoutError', message: 'the request ran out of time' };
  return { type: 'RequestTerminatedError', message: `the request was ${status} by an operator` };
}

/** Failures that went through the model chain carry every attempt in their details. */
function attemptsIn(details: unknown): Attempt[] {
  const attempts = (details as { attempts?: unknown } | undefined)?.attempts;
  return Array.isArray(attempts) ? (attempts as Attempt[]) : [];
}
