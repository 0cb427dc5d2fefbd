// Tool calls and tool results as the doors receive them: arguments that must be JSON, results that
// must answer a call made earlier in the conversation, and a tool choice that must name an offered
// tool. Each problem is a 400 naming the wire field, found before a workflow starts.
import type { JsonValue, ToolCall, ToolChoice, ToolDefinition } from '../../common/request.js';
import { FieldError } from '../errors.js';

/** A call the caller sends back (an earlier answer of the model), its arguments parsed. */
export function wireToolCall(param: string, id: string, name: string, rawArguments: string): ToolCall {
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(rawArguments === '' ? '{}' : rawArguments) as JsonValue;
  } catch {
    throw new FieldError(param, 'the arguments are not valid JSON');
  }
  return { id, name, arguments: parsed, rawArguments };
}

/** The call ids the conversation has made so far, so each tool result can be checked against them. */
export class ToolCallLedger {
  private readonly ids = new Set<string>();
  private readonly answers = new Set<string>();

  made(calls: readonly ToolCall[]): void {
    for (const call of calls) this.ids.add(call.id);
  }

  /** A tool result for `id`: refused unless an earlier assistant turn made that call, and only once. */
  answered(param: string, id: string): string {
    if (!this.ids.has(id)) {
      throw new FieldError(
        param,
        `no earlier tool call has the id "${id}": a tool result must answer a call the assistant made`,
      );
    }
    if (this.answers.has(id)) throw new FieldError(param, `the tool call "${id}" was already answered`);
    this.answers.add(id);
    return id;
  }
}

/** Tool names must be unique: a call names its tool. `paramOf(i)` is the i-th tool's name field. */
export function checkToolNames(tools: readonly ToolDefinition[], paramOf: (index: number) => string): void {
  const seen = new Set<string>();
  tools.forEach((tool, i) => {
    if (seen.has(tool.name)) throw new FieldError(paramOf(i), `another tool is already named "${tool.name}"`);
    seen.add(tool.name);
  });
}

/** The tool choice, checked against the offered tools; undefined when it changes nothing. */
export function checkedToolChoice(
  param: string,
  choice: ToolChoice | undefined,
  tools: readonly ToolDefinition[] | undefined,
): ToolChoice | undefined {
  if (choice === undefined) return undefined;
  const offered = tools ?? [];
  if (typeof choice === 'object' && !offered.some((t) => t.name === choice.name)) {
    const names = offered.map((t) => t.name).join(', ') || 'none';
    throw new FieldError(param, `the tool "${choice.name}" is not among the tools offered (${names})`);
  }
  if (choice === 'required' && offered.length === 0) {
    throw new FieldError(param, '"required" needs at least one tool in `tools`');
  }
  // Without tools, auto and none mean the same as saying nothing.
  return offered.length === 0 ? undefined : choice;
}

/** Fields an item of a given type must have (what a JSON Schema would say with if/then). */
export function requireFields(param: string, value: object, fields: readonly string[]): void {
  for (const field of fields) {
    if ((value as Record<string, unknown>)[field] === undefined) {
      throw new FieldError(`${param}.${field}`, 'is required');
    }
  }
}
