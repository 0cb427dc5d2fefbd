// The pipeline's queries, update and signal, defined once for the workflow and the client.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ApprovalDecision,
  ApprovalOutcome,
  PendingApproval,
  PipelineStatus,
} from '../common/pipelines/types.js';

/** What the pipeline is doing: every step's state, spend, pending approvals. */
export const pipelineStatusQuery = defineQuery<PipelineStatus>('pipelineStatus');

/** Approval steps waiting for a decision now. */
export const pendingApprovalsQuery = defineQuery<PendingApproval[]>('pendingApprovals');

/**
 * Approves or rejects a waiting approval step. Its validator refuses unknown steps and steps that are
 * not waiting, so a mistyped step name fails at the caller and is never written to history.
 */
export const approveUpdate = defineUpdate<ApprovalOutcome, [ApprovalDecision]>('approve');

/** The same decision as a signal, for senders that cannot wait for an answer; invalid ones are ignored. */
export const approveSignal = defineSignal<[ApprovalDecision]>('approveSignal');
