// Client functions for agent pipelines: start one (a definition from the worker's pipelines folder by
// name, or a typed definition), wait for its result, read its status and pending approvals, approve or
// reject a step, cancel it, and list the child workflows it started.
import { randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type WorkflowHandle,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { InvalidRequestError, rootFailure } from '../common/errors.js';
import type {
  ApprovalDecision,
  ApprovalOutcome,
  PendingApproval,
  PipelineDefinition,
  PipelineInput,
  PipelineResult,
  PipelineStatus,
} from '../common/pipelines/types.js';
import type { JsonValue } from '../common/request.js';
import type { pipeline } from '../workflows/pipeline.js';
import { approveUpdate, pendingApprovalsQuery, pipelineStatusQuery } from '../workflows/pipelineMessages.js';
import type { OrchestratorClient } from './client.js';

export type PipelineHandle = WorkflowHandle<typeof pipeline>;

export interface StartPipelineOptions {
  /** A definition in the worker's pipelines folder (pipelines/<name>.yaml)… */
  pipeline?: string;
  /** …or the definition itself. */
  definition?: PipelineDefinition;
  input?: Record<string, JsonValue>;
  /** The workflow id (default `<name>-<random>`); starting the same id again joins the existing run. */
  pipelineId?: string;
  budgetUsd?: number;
  deadlineSeconds?: number;
  blobThresholdBytes?: number;
  caller?: string;
}

/** Defines a pipeline in TypeScript with the editor's help; it is checked when the run starts. */
export function definePipeline(definition: PipelineDefinition): PipelineDefinition {
  return definition;
}

export async function startPipeline(
  client: OrchestratorClient,
  options: StartPipelineOptions,
): Promise<PipelineHandle> {
  const name = options.pipeline ?? options.definition?.name;
  if (!name || (options.pipeline && options.definition)) {
    throw new InvalidRequestError(
      'start a pipeline with either `pipeline` (a name) or `definition`, not both',
    );
  }
  const workflowId = options.pipelineId ?? `${name}-${randomUUID().slice(0, 8)}`;
  if (workflowId.includes('/')) {
    throw new InvalidRequestError(
      `pipeline id "${workflowId}" may not contain "/": its children are <id>/<step>`,
    );
  }
  const input: PipelineInput = {
    input: options.input ?? {},
    ...(options.pipeline ? { pipeline: options.pipeline } : {}),
    ...(options.definition ? { definition: options.definition } : {}),
    ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
    ...(options.deadlineSeconds !== undefined ? { deadlineSeconds: options.deadlineSeconds } : {}),
    ...(options.blobThresholdBytes !== undefined ? { blobThresholdBytes: options.blobThresholdBytes } : {}),
    ...(options.caller ? { caller: options.caller } : {}),
  };
  try {
    return await client.temporal.workflow.start<typeof pipeline>('pipeline', {
      workflowId,
      taskQueue: client.taskQueue,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return pipelineHandle(client, workflowId);
    throw error;
  }
}

export function pipelineHandle(client: OrchestratorClient, pipelineId: string): PipelineHandle {
  return client.temporal.workflow.getHandle<typeof pipeline>(pipelineId);
}

/** Waits for the result; a failed pipeline throws its typed failure (e.g. PipelineStepFailedError). */
export async function pipelineResult(
  client: OrchestratorClient,
  pipelineId: string,
): Promise<PipelineResult> {
  try {
    return await pipelineHandle(client, pipelineId).result();
  } catch (error) {
    if (error instanceof WorkflowFailedError) throw rootFailure(error) ?? error;
    throw error;
  }
}

export async function runPipeline(
  client: OrchestratorClient,
  options: StartPipelineOptions,
): Promise<PipelineResult> {
  const handle = await startPipeline(client, options);
  return pipelineResult(client, handle.workflowId);
}

export async function pipelineStatus(
  client: OrchestratorClient,
  pipelineId: string,
): Promise<PipelineStatus> {
  return pipelineHandle(client, pipelineId).query(pipelineStatusQuery);
}

export async function pendingApprovals(
  client: OrchestratorClient,
  pipelineId: string,
): Promise<PendingApproval[]> {
  return pipelineHandle(client, pipelineId).query(pendingApprovalsQuery);
}

/**
 * Approves (or, with `approve: false`, rejects) a waiting approval step. A step that is unknown or
 * not waiting is refused with InvalidRequestError saying why.
 */
export async function decideApproval(
  client: OrchestratorClient,
  pipelineId: string,
  decision: ApprovalDecision,
): Promise<ApprovalOutcome> {
  try {
    return await pipelineHandle(client, pipelineId).executeUpdate(approveUpdate, { args: [decision] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw rootFailure(error) ?? error;
    throw error;
  }
}

export async function cancelPipeline(client: OrchestratorClient, pipelineId: string): Promise<void> {
  await pipelineHandle(client, pipelineId).cancel();
}

export interface PipelineChild {
  workflowId: string;
  workflowType: string;
  step: string;
  /** The item, for a forEach step's child. */
  index?: number;
  status: string;
  startTime: Date;
  closeTime?: Date;
}

/** The child workflows the pipeline started, in start order, from its history. */
export async function pipelineChildren(
  client: OrchestratorClient,
  pipelineId: string,
): Promise<PipelineChild[]> {
  const history = await pipelineHandle(client, pipelineId).fetchHistory();
  const started = (history.events ?? []).flatMap((event) => {
    const child = event.startChildWorkflowExecutionInitiatedEventAttributes;
    return child?.workflowId
      ? [{ workflowId: child.workflowId, workflowType: child.workflowType?.name ?? '' }]
      : [];
  });
  return Promise.all(
    started.map(async ({ workflowId, workflowType }) => {
      const description = await client.temporal.workflow.getHandle(workflowId).describe();
      const [step = '', index] = workflowId.slice(pipelineId.length + 1).split('/');
      return {
        workflowId,
        workflowType,
        step,
        ...(index !== undefined ? { index: Number(index) } : {}),
        status: description.status.name,
        startTime: description.startTime,
        ...(description.closeTime ? { closeTime: description.closeTime } : {}),
      };
    }),
  );
}
