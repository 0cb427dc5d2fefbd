// The progress events an agent run publishes to its stream (stream id = the run id; see
// common/agents/types.ts). core/streaming's StreamEvent union includes them, so the same stores,
// readers and SSE door carry them. Text deltas are the existing `delta` events of each step's
// request stream (`<run id>/step-<n>`), announced by `step_started`.
import type { JsonValue, TokenUsage } from '../request.js';
import type { AgentStopReason } from './types.js';

export type AgentEvent =
  | { type: 'step_started'; step: number; requestId: string }
  | { type: 'tool_called'; step: number; callId: string; name: string; arguments: JsonValue }
  | {
      type: 'tool_result';
      step: number;
      callId: string;
      name: string;
      isError: boolean;
      summary: string;
      errorType?: string;
      durationMs: number;
    }
  | {
      type: 'approval_requested';
      step: number;
      callId: string;
      name: string;
      timeoutAt: string;
      default: 'approve' | 'reject';
    }
  | {
      type: 'approval_decided';
      step: number;
      callId: string;
      name: string;
      approved: boolean;
      timedOut: boolean;
      by: string | null;
    }
  | {
      type: 'finished';
      stopReason: AgentStopReason;
      output: string;
      usage: TokenUsage;
      costUsd: number;
    }
  | { type: 'agent_failed'; errorType: string; message: string };

export const AGENT_EVENT_TYPES: readonly AgentEvent['type'][] = [
  'step_started',
  'tool_called',
  'tool_result',
  'approval_requested',
  'approval_decided',
  'finished',
  'agent_failed',
];

export function isAgentEvent(event: { type: string }): event is AgentEvent {
  return (AGENT_EVENT_TYPES as readonly string[]).includes(event.type);
}
