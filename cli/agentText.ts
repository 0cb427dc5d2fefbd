// How the CLI prints an agent run for a person: the result's steps and tool calls, a status with the
// commands to approve what waits, and one line per progress event.
import type { AgentStreamEvent } from '../client/agentStream.js';
import type { AgentRunResult, AgentStatus, AgentStep, ToolCallRecord } from '../common/agents/types.js';

const usd = (n: number): string => `$${n.toFixed(6)}`;

function toolLine(call: ToolCallRecord): string {
  const approval = call.approval
    ? ` [${call.approval.approved ? 'approved' : 'rejected'}${call.approval.timedOut ? ' by timeout' : ''}${call.approval.by ? ` by ${call.approval.by}` : ''}]`
    : '';
  const outcome = call.isError
    ? `error ${call.errorType ?? ''}: ${call.error ?? call.summary}`
    : call.summary;
  return `      ${call.name}(${JSON.stringify(call.arguments)})${approval} → ${oneLine(outcome, 120)}`;
}

function stepLines(step: AgentStep): string[] {
  const tokens = `${step.usage.inputTokens} in / ${step.usage.outputTokens} out`;
  return [
    `  step ${String(step.step).padEnd(3)} ${step.model.padEnd(22)} ${usd(step.costUsd).padEnd(11)} ${tokens}${step.finishReason ? `, ${step.finishReason}` : ''}`,
    ...step.toolCalls.map(toolLine),
  ];
}

export function summarizeAgentRun(result: AgentRunResult): string {
  const lines = [
    `agent ${result.runId} (${result.agentId}) stopped: ${result.stopReason}, ${result.steps.length} step(s) in ${(result.durationMs / 1000).toFixed(1)} s${result.continuedRuns ? `, continued as new ${result.continuedRuns}×` : ''}`,
    ...result.steps.flatMap(stepLines),
    `tokens ${result.usage.inputTokens} in / ${result.usage.outputTokens} out, cost ${usd(result.costUsd)}`,
    '',
    result.output,
  ];
  return lines.join('\n');
}

export function describeAgentStatus(status: AgentStatus): string {
  const steps = status.maxSteps !== undefined ? `${status.step}/${status.maxSteps}` : String(status.step);
  const lines = [
    `agent ${status.runId}${status.agentId ? ` (${status.agentId})` : ''}: ${status.stage}, step ${steps}, spent ${usd(status.costUsd)}, tokens ${status.usage.inputTokens} in / ${status.usage.outputTokens} out${status.stopReason ? `, stopped: ${status.stopReason}` : ''}`,
    ...(status.error ? [`  ${status.errorType ?? 'Error'}: ${status.error}`] : []),
  ];
  for (const pending of status.pendingApprovals) {
    lines.push(
      '',
      `waiting for approval: ${pending.callId} ${pending.tool}(${JSON.stringify(pending.arguments)}) at step ${pending.step} (until ${pending.timeoutAt}, then ${pending.default})`,
      ...(pending.message ? [`  ${pending.message}`] : []),
      `  llm-orchestrator agent approve ${status.runId} ${pending.callId}   (or --reject --reason "...")`,
    );
  }
  return lines.join('\n');
}

/** One line for a progress event; undefined for the ones not worth a line (deltas are printed as text). */
export function describeAgentEvent(event: AgentStreamEvent): string | undefined {
  switch (event.type) {
    case 'step_started':
      return `step ${event.step}: calling the model`;
    case 'tool_called':
      return `step ${event.step}: ${event.name}(${oneLine(JSON.stringify(event.arguments), 120)}) [${event.callId}]`;
    case 'tool_result':
      return `step ${event.step}: ${event.name} ${event.isError ? `failed ${event.errorType ?? ''}` : 'done'} in ${event.durationMs} ms → ${oneLine(event.summary, 120)}`;
    case 'approval_requested':
      return `step ${event.step}: ${event.name} waits for approval of ${event.callId} (until ${event.timeoutAt}, then ${event.default})`;
    case 'approval_decided':
      return `step ${event.step}: ${event.name} ${event.approved ? 'approved' : 'rejected'}${event.timedOut ? ' by timeout' : ''}${event.by ? ` by ${event.by}` : ''}`;
    case 'finished':
      return `finished: ${event.stopReason}, cost ${usd(event.costUsd)}`;
    case 'agent_failed':
      return `failed: ${event.errorType}: ${event.message}`;
    case 'try_failed':
      return `  (${event.model} try ${event.try} failed: ${event.errorType}; the text so far is void)`;
    default:
      return undefined;
  }
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
