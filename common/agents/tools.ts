// A tool as the agent loop knows it after resolving the definition's references: the name the model
// calls, what it is offered, and how the call is run. Recorded in history with the step's tool list.
import type { JsonSchema } from '../request.js';

export type ToolBinding =
  | { kind: 'ts'; tool: string }
  | { kind: 'mcp'; server: string; tool: string }
  | { kind: 'agent'; agentId: string };

export interface ResolvedTool {
  /** The name the model calls. */
  name: string;
  description: string;
  parameters: JsonSchema;
  binding: ToolBinding;
}
