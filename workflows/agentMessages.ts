// The agent's queries, update and signal, defined once for the workflow and the client.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  AgentStatus,
  PendingToolApproval,
  ToolApprovalDecision,
  ToolApprovalOutcome,
} from '../common/agents/types.js';

/** What the agent is doing: stage, step, pending approvals, usage and cost so far. */
export const agentStatusQuery = defineQuery<AgentStatus>('agentStatus');

/** Tool calls waiting for a decision now. */
export const agentPendingApprovalsQuery = defineQuery<PendingToolApproval[]>('agentPendingApprovals');

/**
 * Approves or rejects a waiting tool call. Its validator refuses unknown call ids and calls that are
 * not waiting, so a mistyped id fails at the caller and is never written to history.
 */
export const approveToolUpdate = defineUpdate<ToolApprovalOutcome, [ToolApprovalDecision]>('approveTool');

/** The same decision as a signal, for senders that cannot wait for an answer; invalid ones are ignored. */
export const approveToolSignal = defineSignal<[ToolApprovalDecision]>('approveToolSignal');
