// `llm-orchestrator pipeline run|status|check` and `llm-orchestrator approve`: agent pipelines from
// the command line, through the real workflow.
import { Command } from 'commander';
import { OrchestratorClient } from '../client/client.js';
import {
  cancelPipeline,
  decideApproval,
  pipelineResult,
  pipelineStatus,
  startPipeline,
} from '../client/pipelines.js';
import type { PipelineResult, PipelineStatus, StepState } from '../common/pipelines/types.js';
import type { JsonValue } from '../common/request.js';
import { readConfigFiles } from '../config/env.js';
import { checkPipelinesDir } from '../core/pipelines/load.js';
import { parseVar } from './vars.js';

interface RunOptions {
  var: Record<string, JsonValue>;
  id?: string;
  budget?: number;
  deadline?: number;
  caller?: string;
  wait: boolean;
  json?: boolean;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`expected a positive number, got "${value}"`);
  return n;
}

/** Runs `work` with a connected client and always closes what `connect()` opened. */
async function withClient<T>(work: (client: OrchestratorClient) => Promise<T>): Promise<T> {
  const client = await OrchestratorClient.connect();
  try {
    return await work(client);
  } finally {
    // Newer clients own more than the connection (a stream store); close() closes all of it.
    const closable = client as unknown as { close?: () => Promise<void> };
    if (closable.close) await closable.close();
    else await client.temporal.connection.close();
  }
}

function stepLine(step: StepState): string {
  const children = step.children.length;
  const waves = step.items
    ? `, ${step.items.finished}/${step.items.total} items in ${step.items.waves.length} wave(s)`
    : '';
  const models = [...new Set(step.models)].join(', ');
  const error = step.error ? ` — ${step.errorType}: ${step.error}` : '';
  return `  ${step.name.padEnd(16)} ${step.status.padEnd(17)} ${`$${step.costUsd.toFixed(6)}`.padEnd(11)} ${children} child(ren)${waves}${models ? ` [${models}]` : ''}${error}`;
}

function outputText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

export function summarizePipeline(result: PipelineResult): string {
  const lines = [
    `pipeline ${result.pipelineId} (${result.name}) completed in ${(result.durationMs / 1000).toFixed(1)} s`,
    ...result.steps.map(stepLine),
    `tokens ${result.usage.inputTokens} in / ${result.usage.outputTokens} out, cost $${result.costUsd.toFixed(6)}`,
  ];
  for (const step of result.steps) lines.push(...step.warnings.map((w) => `  warning (${step.name}): ${w}`));
  for (const [name, output] of Object.entries(result.outputs)) {
    lines.push('', `== ${name} ==`);
    if (Array.isArray(output) && result.steps.find((s) => s.name === name)?.items) {
      for (const [i, item] of output.entries()) lines.push(`-- ${name}[${i}] --`, outputText(item));
    } else lines.push(outputText(output));
  }
  return lines.join('\n');
}

export function describeStatus(status: PipelineStatus): string {
  const budget = status.budgetUsd !== undefined ? ` of $${status.budgetUsd}` : '';
  const lines = [
    `pipeline ${status.pipelineId}${status.name ? ` (${status.name})` : ''}: ${status.stage}, spent $${status.costUsd.toFixed(6)}${budget}${status.deadlineAt ? `, deadline ${status.deadlineAt}` : ''}`,
    ...status.steps.map(stepLine),
  ];
  for (const pending of status.pendingApprovals) {
    lines.push(
      '',
      `waiting for approval: ${pending.step} (until ${pending.timeoutAt}, then ${pending.default})`,
      ...(pending.message ? [`  ${pending.message}`] : []),
      `  llm-orchestrator approve ${status.pipelineId} ${pending.step}   (or --reject --reason "...")`,
    );
  }
  return lines.join('\n');
}

export function pipelineCommand(): Command {
  const command = new Command('pipeline').description('agent pipelines: multi-step runs of child requests');
  command.addCommand(
    new Command('run')
      .description('run a pipeline from the pipelines folder and print each step and its output')
      .argument('<name>', 'pipeline name, e.g. requirement_to_code')
      .option('--var <key=value>', 'pipeline input (repeatable; JSON values are parsed)', parseVar, {})
      .option('--id <pipeline id>', 'workflow id (default <name>-<random>); the same id joins the same run')
      .option('--budget <usd>', 'stop starting steps once their cost reaches this', positiveNumber)
      .option('--deadline <seconds>', 'the whole pipeline must finish within this', positiveNumber)
      .option('--caller <name>', 'who is asking (for usage and search)')
      .option('--no-wait', 'print the pipeline id and return without waiting')
      .option('--json', 'print exactly one JSON object: the result')
      .action(async (name: string, options: RunOptions) => {
        await withClient(async (client) => {
          const handle = await startPipeline(client, {
            pipeline: name,
            input: options.var,
            ...(options.id ? { pipelineId: options.id } : {}),
            ...(options.budget !== undefined ? { budgetUsd: options.budget } : {}),
            ...(options.deadline !== undefined ? { deadlineSeconds: options.deadline } : {}),
            ...(options.caller ? { caller: options.caller } : {}),
          });
          if (!options.json) console.error(`pipeline ${handle.workflowId} started`);
          if (!options.wait) {
            if (options.json) console.log(JSON.stringify({ pipelineId: handle.workflowId }));
            return;
          }
          const result = await pipelineResult(client, handle.workflowId);
          console.log(options.json ? JSON.stringify(result) : summarizePipeline(result));
        });
      }),
  );
  command.addCommand(
    new Command('status')
      .description("a pipeline's steps, spend and pending approvals")
      .argument('<pipeline id>')
      .option('--json', 'print the status as JSON')
      .action(async (pipelineId: string, options: { json?: boolean }) => {
        await withClient(async (client) => {
          const status = await pipelineStatus(client, pipelineId);
          console.log(options.json ? JSON.stringify(status, null, 2) : describeStatus(status));
        });
      }),
  );
  command.addCommand(
    new Command('cancel')
      .description('cancel a pipeline: its running children are cancelled, no new step starts')
      .argument('<pipeline id>')
      .action(async (pipelineId: string) => {
        await withClient(async (client) => {
          await cancelPipeline(client, pipelineId);
          console.log(`cancellation of ${pipelineId} requested`);
        });
      }),
  );
  command.addCommand(
    new Command('check')
      .description('check every pipeline definition in the folder; problems name the file and the field')
      .option('--dir <dir>', 'pipelines folder (default PIPELINES_DIR or pipelines/)')
      .action(async (options: { dir?: string }) => {
        const results = await checkPipelinesDir(options.dir ?? readConfigFiles().pipelinesDir);
        for (const r of results)
          console.log(r.problem ? `✗ ${r.problem}` : `✓ ${r.name}: ${r.definition?.steps.length} step(s)`);
        if (results.some((r) => r.problem)) process.exitCode = 1;
      }),
  );
  return command;
}

export function approveCommand(): Command {
  return new Command('approve')
    .description("approve (or --reject) a pipeline's waiting approval step")
    .argument('<pipeline id>')
    .argument('<step>', 'the approval step')
    .option('--reject', 'reject instead: the pipeline fails with ApprovalRejectedError')
    .option('--reason <text>', 'why (recorded in the step output or the failure)')
    .option('--by <name>', 'who decides (default $USER)')
    .action(
      async (
        pipelineId: string,
        step: string,
        options: { reject?: boolean; reason?: string; by?: string },
      ) => {
        await withClient(async (client) => {
          const by = options.by ?? process.env.USER;
          const outcome = await decideApproval(client, pipelineId, {
            step,
            approve: !options.reject,
            ...(options.reason ? { reason: options.reason } : {}),
            ...(by ? { by } : {}),
          });
          console.log(
            `${step}: ${outcome.approved ? 'approved' : 'rejected'}${outcome.reason ? ` (${outcome.reason})` : ''}`,
          );
        });
      },
    );
}
