// What a tool is to the agent loop: a name the model calls, a JSON Schema for its input, and code
// that runs in an activity. TypeScript tools are registered with the worker; MCP tools are the same
// shape, backed by a server's `tools/call`.
import type { JsonSchema, JsonValue } from '../../common/request.js';

/** Where a tool runs, so the activity can report it and the activity's summary can name it. */
export interface ToolRunContext {
  /** The agent run's id and the step and call the tool runs for (idempotency keys for side effects). */
  runId: string;
  step: number;
  callId: string;
  /** Cancelled when the activity is (timeout, cancellation). */
  signal: AbortSignal;
}

export interface AgentTool {
  name: string;
  description: string;
  inputSchema: JsonSchema;
  run(input: JsonValue, context: ToolRunContext): Promise<JsonValue | string>;
}

/** What a tool's run returned, as the model will read it. */
export interface ToolOutput {
  text: string;
  isError: boolean;
  errorType?: string;
}
