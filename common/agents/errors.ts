// The agent's own failures, typed like every orchestrator error (the class name is the Temporal
// failure type). Tool failures are also what the model is told when the agent returns them to it.
import { type ErrorDetails, OrchestratorError } from '../errors.js';

type Options = { details?: ErrorDetails; cause?: Error };

function defineAgentError(type: string, retryable = false) {
  return class extends OrchestratorError {
    static readonly type = type;
    constructor(message: string, options: Options = {}) {
      super(type, message, { retryable, ...options });
    }
  };
}

/** The model called a tool the agent does not have. */
export class UnknownToolError extends defineAgentError('UnknownToolError') {}
/** The tool's arguments fail its input schema. */
export class ToolInputError extends defineAgentError('ToolInputError') {}
/** The tool ran and threw. */
export class ToolExecutionError extends defineAgentError('ToolExecutionError') {}
/** An MCP server could not be reached or started (retried, then reported). */
export class McpServerError extends defineAgentError('McpServerError', true) {}
/** A person (or the approval's timeout default) rejected the tool call. */
export class ToolRejectedError extends defineAgentError('ToolRejectedError') {}
/** A tool failed under `onToolError: fail`; details name the tool, call and step. */
export class AgentToolFailedError extends defineAgentError('AgentToolFailedError') {}
/** An agent definition is missing or invalid (details list the problems). */
export class AgentDefinitionError extends defineAgentError('AgentDefinitionError') {}
