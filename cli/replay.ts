// `llm-orchestrator replay`: replays recorded histories against the current workflow code, so a change
// that would break running workflows is caught before it ships. Exit 0 when every history replays;
// otherwise each divergence is printed (DeterminismViolationError with Temporal's details) and exit 1.
//   replay <workflowId>        the history from the server at TEMPORAL_ADDRESS (and its children's)
//   replay --dir <folder>      every <name>.json in the folder (`temporal workflow show --output json`)
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import {
  bundleWorkflowCode,
  DefaultLogger,
  type History,
  type InjectedSinks,
  Runtime,
  Worker,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { Command } from 'commander';
import { dataConverterFromEnv } from '../codec/index.js';
import { readTemporalSettings } from '../config/env.js';
import { workflowBundle } from '../workers/worker.js';
import type { OrchestratorSinks } from '../workflows/sinks.js';

export interface NamedHistory {
  /** File name or workflow id: how the outcome is reported. */
  name: string;
  workflowId: string;
  history: History;
}

export interface ReplayOutcome {
  name: string;
  /** DeterminismViolationError when the code diverges from the history; ReplayError for other failures. */
  error?: Error;
}

export interface ReplayOptions {
  /** Default: this checkout's workflow bundle (WORKFLOW_BUNDLE_PATH or workflows/index.ts). */
  workflowBundle?: WorkflowBundleOption;
  /** Bundle the workflows at this path instead, e.g. an altered copy or another checkout. */
  workflowsPath?: string;
  /** Needed when the histories were written with payload codecs (encryption, claim check). */
  dataConverter?: DataConverter;
}

/** A history from Temporal's JSON format (`temporal workflow show --output json`, `historyToJson`). */
export function historyFromJson(json: unknown): History {
  const events = (json as { events?: unknown } | null)?.events;
  if (!Array.isArray(events)) throw new Error('not a history: expected an object with an array of events');
  return historyFromJSON(json);
}

/** A history in Temporal's JSON format, as `temporal workflow show --output json` writes it. */
export function historyToJson(history: History): string {
  return JSON.stringify(JSON.parse(historyToJSON(history)), null, 1);
}

/** Every `<name>.json` history in the folder, by name. */
export function readHistoryDir(dir: string): NamedHistory[] {
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort();
  return files.map((file) => {
    try {
      const history = historyFromJson(JSON.parse(readFileSync(join(dir, file), 'utf8')));
      return { name: file, workflowId: recordedWorkflowId(history) ?? basename(file, '.json'), history };
    } catch (error) {
      throw new Error(
        `${join(dir, file)} is not a history in Temporal's JSON format: ${(error as Error).message}`,
      );
    }
  });
}

/**
 * The id the workflow ran under, from its start event. Replay must use it: the code derives ids from
 * it (a request's children are `<request id>/<n>-<model>`), and a different id is a divergence.
 */
export function recordedWorkflowId(history: History): string | undefined {
  return history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? undefined;
}

/** Ids and run ids of the child workflows a history started. */
export function childExecutions(history: History): { workflowId: string; runId: string }[] {
  const children: { workflowId: string; runId: string }[] = [];
  for (const event of history.events ?? []) {
    const execution = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
    if (execution?.workflowId && execution.runId)
      children.push({ workflowId: execution.workflowId, runId: execution.runId });
  }
  return children;
}

/** A workflow's history from the server, then (with `children`) its children's, depth first. */
export async function fetchHistories(
  client: Client,
  workflowId: string,
  options: { runId?: string; children?: boolean } = {},
): Promise<NamedHistory[]> {
  const history = await client.workflow.getHandle(workflowId, options.runId).fetchHistory();
  const all: NamedHistory[] = [{ name: workflowId, workflowId, history }];
  if (options.children === false) return all;
  for (const child of childExecutions(history))
    all.push(...(await fetchHistories(client, child.workflowId, { runId: child.runId, children: true })));
  return all;
}

async function bundleFor(options: ReplayOptions): Promise<WorkflowBundleOption> {
  if (options.workflowBundle) return options.workflowBundle;
  if (!options.workflowsPath) return workflowBundle();
  const quiet = (): void => {};
  const { code } = await bundleWorkflowCode({
    workflowsPath: options.workflowsPath,
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error },
  });
  return { code };
}

// Sinks are never called during replay, but a workflow that reaches one the worker lacks is logged as
// an error: register them, doing nothing.
const replaySinks: InjectedSinks<OrchestratorSinks> = {
  metrics: { requestFinished: { fn: () => {}, callDuringReplay: false } },
};

/** Replays each history in order on one replay worker; one outcome per history. */
export async function replayHistories(
  histories: readonly NamedHistory[],
  options: ReplayOptions = {},
): Promise<ReplayOutcome[]> {
  const results = Worker.runReplayHistories(
    {
      workflowBundle: await bundleFor(options),
      replayName: 'llm-orchestrator-replay',
      sinks: replaySinks,
      ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    },
    histories.map(({ history, workflowId }) => ({ history, workflowId })),
  );
  const outcomes: ReplayOutcome[] = [];
  for await (const result of results) {
    const name = histories[outcomes.length]?.name ?? result.workflowId;
    outcomes.push(result.error ? { name, error: result.error } : { name });
  }
  return outcomes;
}

/** One line per history, then a total; the text the command prints. */
export function describeOutcomes(outcomes: readonly ReplayOutcome[]): string {
  const failed = outcomes.filter((o) => o.error);
  const lines = outcomes.map((o) =>
    o.error ? `FAIL  ${o.name}\n      ${o.error.name}: ${o.error.message}` : `ok    ${o.name}`,
  );
  lines.push(
    `replayed ${outcomes.length} histor${outcomes.length === 1 ? 'y' : 'ies'}: ${outcomes.length - failed.length} deterministic, ${failed.length} not`,
  );
  return lines.join('\n');
}

interface ReplayCommandOptions {
  dir?: string;
  runId?: string;
  children: boolean;
  workflows?: string;
}

async function historiesFromServer(
  workflowId: string,
  options: ReplayCommandOptions,
): Promise<NamedHistory[]> {
  const temporal = readTemporalSettings();
  const connection = await Connection.connect({ address: temporal.address });
  try {
    const client = new Client({ connection, namespace: temporal.namespace });
    return await fetchHistories(client, workflowId, {
      children: options.children,
      ...(options.runId ? { runId: options.runId } : {}),
    });
  } finally {
    await connection.close();
  }
}

/** The replay worker logs each divergence too; this command prints them once, itself. */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed by this process: keep its logger.
  }
}

export function replayCommand(): Command {
  return new Command('replay')
    .description('replay histories against the current workflow code; exit 1 on the first divergence of any')
    .argument('[workflowId]', 'a workflow on the server at TEMPORAL_ADDRESS')
    .option('--dir <folder>', 'replay every <name>.json history in the folder instead')
    .option('--run-id <id>', 'a specific run of the workflow (default: the latest)')
    .option('--no-children', 'do not replay the child workflows (models tried) the workflow started')
    .option(
      '--workflows <path>',
      'replay against the workflows module at this path instead of workflows/index.ts',
    )
    .action(async (workflowId: string | undefined, options: ReplayCommandOptions) => {
      if (!workflowId === !options.dir) throw new Error('give a workflow id or --dir <folder>, not both');
      quietRuntime();
      const histories = options.dir
        ? readHistoryDir(options.dir)
        : await historiesFromServer(workflowId ?? '', options);
      if (!histories.length) throw new Error(`no <name>.json history in ${options.dir}`);
      const dataConverter = dataConverterFromEnv();
      const outcomes = await replayHistories(histories, {
        ...(options.workflows ? { workflowsPath: options.workflows } : {}),
        ...(dataConverter ? { dataConverter } : {}),
      });
      console.log(describeOutcomes(outcomes));
      if (outcomes.some((o) => o.error)) process.exitCode = 1;
    });
}
