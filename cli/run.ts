// `llm-orchestrator run`: one request, from the command line, through the real workflow.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { OrchestratorClient } from '../client/client.js';
import { failureType, rootFailure } from '../common/errors.js';
import type { JsonSchema, JsonValue, LlmRequest, LlmResult, OutputFormat } from '../common/request.js';
import { parseTemplateRef, parseVar } from './vars.js';

interface RunOptions {
  task: string;
  template: string;
  var: Record<string, JsonValue>;
  format?: OutputFormat;
  schema?: string;
  model?: string;
  requestId?: string;
  caller?: string;
  json?: boolean;
}

function readSchema(file: string): JsonSchema {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not a JSON object');
    return parsed as JsonSchema;
  } catch (error) {
    throw new Error(`--schema ${file}: cannot be used as a JSON Schema (${(error as Error).message})`);
  }
}

export function summarize(result: LlmResult): string {
  const tries = result.attempts.filter((a) => a.outcome !== 'skipped').length;
  const output = typeof result.output === 'string' ? result.output : JSON.stringify(result.output, null, 2);
  return [
    `request ${result.requestId} — ${result.model} (${result.provider}), template ${result.templateId}@${result.templateVersion}`,
    `tokens ${result.usage.inputTokens} in / ${result.usage.outputTokens} out, cost $${result.costUsd.toFixed(6)}, ${tries} provider call(s)${result.cached ? ', cached' : ''}`,
    '',
    output,
  ].join('\n');
}

export function runCommand(): Command {
  return new Command('run')
    .description('send one request through the orchestrator and print its result')
    .requiredOption('--task <type>', 'task type, e.g. code_generation')
    .requiredOption('--template <id[@version]>', 'prompt template id, optionally pinned to a version')
    .option('--var <key=value>', 'template variable (repeatable; JSON values are parsed)', parseVar, {})
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'code', 'markdown']))
    .option('--schema <file.json>', 'JSON Schema the output must satisfy')
    .option('--model <id>', 'preferred model from the catalog')
    .option('--request-id <id>', 'idempotency key (default: a new id)')
    .option('--caller <name>', 'who is asking (for usage and search)')
    .option('--json', 'print exactly one JSON object: the result')
    .action(async (options: RunOptions) => {
      const request: LlmRequest = {
        requestId: options.requestId ?? `req-${randomUUID()}`,
        taskType: options.task,
        ...parseTemplateRef(options.template),
        variables: options.var,
        ...(options.format ? { outputFormat: options.format } : {}),
        ...(options.schema ? { schema: readSchema(options.schema) } : {}),
        ...(options.model ? { model: options.model } : {}),
        ...(options.caller ? { caller: options.caller } : {}),
      };
      const client = await OrchestratorClient.connect();
      try {
        const result = await client.process(request);
        console.log(options.json ? JSON.stringify(result) : summarize(result));
      } finally {
        await client.temporal.connection.close();
      }
    });
}

/** One line for a failed command: the failure type and what to do. */
export function failureLine(error: unknown): string {
  const type = failureType(error);
  const message = rootFailure(error)?.message ?? (error instanceof Error ? error.message : String(error));
  return type ? `${type}: ${message}` : message;
}
