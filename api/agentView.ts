// What `GET /v1/agent-runs/{id}` answers: the run's state, its live status (stage, step, pending tool
// approvals, usage and cost so far), then its result or typed error. A run belongs to the caller whose
// key started it; to anyone else it does not exist (404), as requests do.
import { agentRun } from '../client/agents.js';
import type { OrchestratorClient } from '../client/client.js';
import { AGENT_WORKFLOW, type AgentRunResult, type AgentStatus } from '../common/agents/types.js';
import { type ApiErrorBody, errorBody } from './errors.js';
import { ownedWorkflowState, type RequestState } from './requestView.js';

export interface AgentRunView {
  runId: string;
  status: RequestState;
  agent?: AgentStatus;
  result?: AgentRunResult;
  error?: ApiErrorBody;
  links: Record<string, string>;
}

export function agentRunLinks(runId: string): Record<string, string> {
  const self = `/v1/agent-runs/${encodeURIComponent(runId)}`;
  return { self, stream: `${self}/stream`, cancel: `${self}/cancel`, approvals: `${self}/approvals` };
}

/** The run's state if it exists, is an agent run, and belongs to this caller; 404 otherwise. */
export function ownedRunState(
  client: OrchestratorClient,
  runId: string,
  caller: string,
): Promise<RequestState> {
  return ownedWorkflowState(agentRun(client, runId).workflow, AGENT_WORKFLOW, caller, `agent run ${runId}`);
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
