// Reading a workflow's history the way an operator reads it in the UI: which steps ran, in order.
import type { Client } from '@temporalio/client';

export interface Step {
  kind: 'activity' | 'localActivity' | 'child' | 'timer' | 'patch';
  name: string;
}

/** Activities (normal and local), children, timers and patch markers (by patch id), in history order. */
export async function steps(client: Client, workflowId: string): Promise<Step[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const result: Step[] = [];
  for (const event of history.events ?? []) {
    const activity = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (activity) result.push({ kind: 'activity', name: activity });
    const child = event.startChildWorkflowExecutionInitiatedEventAttributes;
    if (child?.workflowId) result.push({ kind: 'child', name: child.workflowId });
    if (event.timerStartedEventAttributes)
      result.push({ kind: 'timer', name: String(event.timerStartedEventAttributes.timerId) });
    const marker = event.markerRecordedEventAttributes;
    const data =
      marker?.markerName === 'core_local_activity' ? marker.details?.data?.payloads?.[0]?.data : undefined;
    if (data) {
      const parsed = JSON.parse(Buffer.from(data).toString()) as { activity_type?: string };
      if (parsed.activity_type) result.push({ kind: 'localActivity', name: parsed.activity_type });
    }
    const patch =
      marker?.markerName === 'core_patch' ? marker.details?.['patch-data']?.payloads?.[0]?.data : undefined;
    if (patch)
      result.push({ kind: 'patch', name: (JSON.parse(Buffer.from(patch).toString()) as { id: string }).id });
  }
  return result;
}

export const names = (list: Step[], kind: Step['kind']): string[] =>
  list.filter((s) => s.kind === kind).map((s) => s.name);
