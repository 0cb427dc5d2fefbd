// validateResponse: turns the model's text into the requested output (json, code, markdown, schema)
// and checks its tool calls against the tools offered, and says, as data, whether it is usable. A
// failed validation is not an activity failure: the workflow decides to re-ask the model with the
// errors (repairPrompt, or repairMessages for tool calls) or to move on.
import { rootFailure } from '../common/errors.js';
import type {
  ChatMessage,
  JsonSchema,
  JsonValue,
  OutputFormat,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from '../common/request.js';
import { processResponse, repairPrompt, type ValidatorRegistry } from '../core/response/index.js';
import { toolCallProblems, toolRepairMessages } from '../core/response/toolCalls.js';

export interface ValidateResponseInput {
  text: string;
  taskType: string;
  outputFormat: OutputFormat;
  schema?: JsonSchema;
  allowRegexFallback: boolean;
  /** The model that answered: not used to validate, only named on the activity's log lines. */
  model?: string;
  /** The answer's tool calls, checked against the tools the request offered. */
  toolCalls?: ToolCall[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
}

export type ValidateResponseResult =
  | { ok: true; output: JsonValue; regexFallback: boolean }
  | {
      ok: false;
      errors: string[];
      repairPrompt: string;
      /** For tool calls: the turn to append instead of the repair prompt (calls and their errors). */
      repairMessages?: ChatMessage[];
    };

export function createValidateResponse(
  validators?: ValidatorRegistry,
): (input: ValidateResponseInput) => Promise<ValidateResponseResult> {
  return async function validateResponse(input: ValidateResponseInput): Promise<ValidateResponseResult> {
    const calls = input.toolCalls ?? [];
    if (input.tools?.length) {
      const errors = toolCallProblems(calls, input.tools, input.toolChoice);
      if (errors.length > 0) {
        const repairMessages = toolRepairMessages(input.text, calls, errors);
        return { ok: false, errors, repairPrompt: errors.join('; '), repairMessages };
      }
    }
    // An answer that calls tools is not the final answer: its text is not held to the output format.
    if (calls.length > 0) return { ok: true, output: input.text, regexFallback: false };
    try {
      const processed = processResponse({
        text: input.text,
        taskType: input.taskType,
        outputFormat: input.outputFormat,
        allowRegexFallback: input.allowRegexFallback,
        ...(input.schema ? { schema: input.schema } : {}),
        ...(validators ? { validators } : {}),
      });
      return { ok: true, output: processed.output, regexFallback: processed.regexFallback };
    } catch (error) {
      const failure = rootFailure(error);
      // Only an unusable answer is repairable; anything else (a schema that does not compile) is a
      // real failure of the request.
      if (failure?.type !== 'InvalidResponseError') throw error;
      const details = (failure.details?.[0] ?? {}) as { reasons?: string[]; validationErrors?: string[] };
      const errors = [...(details.validationErrors ?? []), ...(details.reasons ?? [])];
      if (errors.length === 0) errors.push(failure.message);
      return { ok: false, errors, repairPrompt: repairPrompt(errors, input.outputFormat, input.schema) };
    }
  };
}
