// The floor: workflows with the orchestrator's shape and none of its code, to tell what Temporal
// itself costs on this machine from what our workflows add. Benchmark-only; never registered by the
// orchestrator's worker.
import { executeChild, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { FloorActivities, FloorCall, FloorReply } from './activities.js';

const local = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '30 seconds' });
const remote = proxyActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });

/** llmRequest's shape: two local activities, then one child workflow. */
export async function floorRequest(call: FloorCall): Promise<FloorReply> {
  await local.noop();
  await local.noop();
  return executeChild(floorModelCall, { workflowId: `${workflowInfo().workflowId}/1`, args: [call] });
}

/** modelCall's shape: the provider call as an activity, then one local activity. */
export async function floorModelCall(call: FloorCall): Promise<FloorReply> {
  const reply = await remote.callProvider(call);
  await local.noop();
  return reply;
}

/** Less still: the provider call as a local activity (no activity task); the benchmark starts it eagerly. */
export async function floorLocal(call: FloorCall): Promise<FloorReply> {
  return local.callProvider(call);
}

/** The least a workflow can do: one activity that calls the provider. */
export async function floorSingle(call: FloorCall): Promise<FloorReply> {
  return remote.callProvider(call);
}
