// Checks the tool calls in an answer: each names a tool the request offered, its arguments are a
// JSON object valid against that tool's schema, and the request's toolChoice was obeyed. An answer
// that fails is repaired like invalid structured output: the model is told, per call, what was
// wrong (as tool results, which both providers require after a tool call) and asked again.
import type { ChatMessage, ToolCall, ToolChoice, ToolDefinition } from '../../common/request.js';
import { compileSchema } from './schema.js';

/** Every problem with the calls, each naming the call; empty when they are usable. */
export function toolCallProblems(
  calls: readonly ToolCall[],
  tools: readonly ToolDefinition[],
  choice: ToolChoice | undefined,
): string[] {
  const problems: string[] = [];
  if (calls.length === 0) {
    if (choice === 'required') problems.push('toolChoice is "required" but the answer called no tool');
    if (typeof choice === 'object')
      problems.push(`toolChoice names "${choice.name}" but the answer called no tool`);
    return problems;
  }
  if (choice === 'none') problems.push('toolChoice is "none" but the answer called tools');
  for (const [index, call] of calls.entries()) {
    const where = `toolCalls[${index}] (${call.name})`;
    const tool = tools.find((t) => t.name === call.name);
    if (!tool) {
      problems.push(
        `${where}: no tool of that name was offered (offered: ${tools.map((t) => t.name).join(', ')})`,
      );
      continue;
    }
    if (typeof choice === 'object' && choice.name !== call.name) {
      problems.push(`${where}: toolChoice names "${choice.name}"`);
    }
    if (typeof call.arguments !== 'object' || call.arguments === null || Array.isArray(call.arguments)) {
      problems.push(`${where}: arguments are not a JSON object: ${call.rawArguments.slice(0, 200)}`);
      continue;
    }
    for (const error of compileSchema(tool.parameters).validate(call.arguments))
      problems.push(`${where}: ${error}`);
  }
  return problems;
}

/**
 * The turn that sends a failed answer back: the assistant's calls as made, then one tool result per
 * call saying what to fix (or that it was not run because another call of the answer was invalid).
 */
export function toolRepairMessages(
  text: string,
  calls: readonly ToolCall[],
  problems: readonly string[],
): ChatMessage[] {
  const results: ChatMessage[] = calls.map((call, index) => {
    const own = problems.filter((p) => p.startsWith(`toolCalls[${index}] `));
    const content = own.length
      ? `Not run: invalid arguments. ${own.join('; ')}. Call ${call.name} again with arguments that satisfy its schema.`
      : 'Not run: another call in the same answer was invalid. Send all the calls again, corrected.';
    return { role: 'tool', toolCallId: call.id, content, isError: true };
  });
  const general = problems.filter((p) => !p.startsWith('toolCalls['));
  // A closing user turn asks for the calls again: after bare tool results a model would answer them.
  const ask = general.length
    ? `${general.join('; ')}. Answer again.`
    : 'The tool calls above were not run: their arguments were invalid. Make the calls again with valid arguments.';
  const turn: ChatMessage[] = calls.length
    ? [{ role: 'assistant', content: text, toolCalls: [...calls] }, ...results]
    : [{ role: 'assistant', content: text }];
  turn.push({ role: 'user', content: ask });
  return turn;
}
