// What `GET /v1/agent-runs/{id}` answers: the run's state, its live status (stage, step, pending tool
// approvals, usage and cost so far), then its result or typed error. A run belongs to the caller whose
// key started it; to anyone else it does not exist (404), as requests do.
import { WorkflowNotFoundError } from '@temporalio/client';
import { agentRun } from '../client/agents.js';
import type { OrchestratorClient, RequestMemo } from '../client/client.js';
import { AGENT_WORKFLOW, type AgentRunResult, type AgentStatus } from '../common/agents/types.js';
import { type ApiErrorBody, errorBody, notFound } from './errors.js';
import type { RequestState } from './requestView.js';

export interface AgentRunView {
  runId: string;
  status: RequestState;
  agent?: AgentStatus;
  result?: AgentRunResult;
  error?: ApiErrorBody;
  links: Record<string, string>;
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

export function agentRunLinks(runId: string): Record<string, string> {
  const self = `/v1/agent-runs/${encodeURIComponent(runId)}`;
  return { self, stream: `${self}/stream`, cancel: `${self}/cancel`, approvals: `${self}/approvals` };
}

/** The run's state if it exists, is an agent run, and belongs to this caller; 404 otherwise. */
export async function ownedRunState(
  client: OrchestratorClient,
  runId: string,
  caller: string,
): Promise<RequestState> {
  let description: Awaited<ReturnType<ReturnType<OrchestratorClient['handle']>['describe']>>;
  try {
    description = await agentRun(client, runId).workflow.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw notFound(`agent run ${runId}`);
    throw error;
  }
  const memo = (description.memo ?? {}) as RequestMemo;
  if (description.type !== AGENT_WORKFLOW || memo.caller !== caller) throw notFound(`agent run ${runId}`);
  return STATES[description.status.name] ?? 'running';
}

export async function viewAgentRun(
  client: OrchestratorClient,
  runId: string,
  caller: string,
): Promise<AgentRunView> {
  const status = await ownedRunState(client, runId, caller);
  const run = agentRun(client, runId);
  const view: AgentRunView = { runId, status, links: agentRunLinks(runId) };
  if (status === 'completed') return { ...view, result: await run.result() };
  // A closed run still answers queries (from its history), so the view says how far it got.
  const agent = await run.status().catch(() => undefined);
  const withStatus = { ...view, ...(agent ? { agent } : {}) };
  if (status === 'running') return withStatus;
  if (status === 'failed') {
    const error = await run.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    return { ...withStatus, error: errorBody(error) };
  }
  return { ...withStatus, error: closedError(status) };
}

function closedError(status: RequestState): ApiErrorBody {
  if (status === 'cancelled') return { type: 'AgentCancelledError', message: 'the agent run was cancelled' };
  if (status === 'timed_out') return { type: 'TimeoutError', message: 'the agent run ran out of time' };
  return { type: 'AgentTerminatedError', message: `the agent run was ${status} by an operator` };
}
