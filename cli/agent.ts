// `llm-orchestrator agent run|status|approve|cancel|list`: durable agents from the command line,
// through the real `agent` workflow. The client (Temporal's SDK) loads only when a subcommand runs,
// so `agent --help` stays quick.
import { Command, InvalidArgumentError } from 'commander';
import type { AgentStreamEvent } from '../client/agentStream.js';
import type { AgentRun, StartAgentOptions } from '../client/agents.js';
import type { OrchestratorClient } from '../client/client.js';
import type { AgentOverrides } from '../common/agents/types.js';
import { describeAgentEvent, describeAgentStatus, summarizeAgentRun } from './agentText.js';

interface RunOptions {
  input: string;
  id?: string;
  caller?: string;
  model?: string;
  maxSteps?: number;
  maxCost?: number;
  deadline?: number;
  wait: boolean;
  follow?: boolean;
  json?: boolean;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return n;
}

function positiveInteger(value: string): number {
  const n = positiveNumber(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return n;
}

interface Doors {
  client: OrchestratorClient;
  run(runId: string): AgentRun;
  start(options: StartAgentOptions): Promise<AgentRun>;
}

/** Runs `work` with a connected client and always closes what `connect()` opened. */
async function withClient<T>(work: (doors: Doors) => Promise<T>): Promise<T> {
  const [{ OrchestratorClient }, { agentRun, startAgent }] = await Promise.all([
    import('../client/client.js'),
    import('../client/agents.js'),
  ]);
  const client = await OrchestratorClient.connect();
  try {
    return await work({
      client,
      run: (runId) => agentRun(client, runId),
      start: (options) => startAgent(client, options),
    });
  } finally {
    await client.close();
  }
}

function overridesOf(options: RunOptions): AgentOverrides | undefined {
  const overrides: AgentOverrides = {
    ...(options.model ? { model: options.model } : {}),
    ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
    ...(options.maxCost !== undefined ? { maxCostUsd: options.maxCost } : {}),
    ...(options.deadline !== undefined ? { deadlineSeconds: options.deadline } : {}),
  };
  return Object.keys(overrides).length ? overrides : undefined;
}

function runCommand(): Command {
  return new Command('run')
    .description('run an agent from the agents folder and print its answer, steps, tool calls and cost')
    .argument('<id>', 'agent id, e.g. research_assistant (agents/<id>.yaml)')
    .requiredOption('--input <text>', 'the task, given to the agent as the user message')
    .option('--id <run id>', 'workflow id (default <id>-<random>); the same id joins the same run')
    .option('--caller <name>', 'who is asking (for usage and search)')
    .option('--model <model>', "override the agent's model")
    .option('--max-steps <n>', "override the agent's step limit", positiveInteger)
    .option('--max-cost <usd>', "override the agent's cost budget", positiveNumber)
    .option('--deadline <seconds>', "override the agent's deadline", positiveNumber)
    .option('--follow', 'print progress (steps, tool calls, approvals, text) to stderr as it happens')
    .option('--no-wait', 'print the run id and return without waiting')
    .option('--json', 'print exactly one JSON object on stdout: the result (steps, tool calls, usage, cost)')
    .action(async (agentId: string, options: RunOptions) => {
      await withClient(async (doors) => {
        const overrides = overridesOf(options);
        const run = await doors.start({
          agentId,
          input: options.input,
          ...(options.id ? { runId: options.id } : {}),
          ...(options.caller ? { caller: options.caller } : {}),
          ...(overrides ? { overrides } : {}),
          ...(options.follow ? { stream: true } : {}),
        });
        if (!options.json) console.error(`agent ${run.runId} started`);
        if (!options.wait) {
          console.log(options.json ? JSON.stringify({ runId: run.runId }) : run.runId);
          return;
        }
        if (options.follow) await follow(run.stream());
        const result = await run.result();
        console.log(options.json ? JSON.stringify(result) : summarizeAgentRun(result));
      });
    });
}

/** Prints each progress event on stderr; text deltas are written as they come, without line breaks. */
async function follow(events: AsyncGenerator<AgentStreamEvent, void>): Promise<void> {
  let midLine = false;
  for await (const event of events) {
    if (event.type === 'result') break;
    if (event.type === 'delta') {
      process.stderr.write(event.text);
      midLine = true;
      continue;
    }
    const line = describeAgentEvent(event);
    if (!line) continue;
    if (midLine) process.stderr.write('\n');
    midLine = false;
    console.error(line);
  }
  if (midLine) process.stderr.write('\n');
}

function statusCommand(): Command {
  return new Command('status')
    .description("an agent run's stage, step, pending tool approvals, usage and cost")
    .argument('<run id>')
    .option('--json', 'print the status as JSON')
    .action(async (runId: string, options: { json?: boolean }) => {
      await withClient(async (doors) => {
        const status = await doors.run(runId).status();
        console.log(options.json ? JSON.stringify(status, null, 2) : describeAgentStatus(status));
      });
    });
}

function approveCommand(): Command {
  return new Command('approve')
    .description('approve (or --reject) a tool call waiting for a decision')
    .argument('<run id>')
    .argument('<call id>', 'the tool call (see `agent status`)')
    .option('--reject', 'reject instead: the model is told the call was rejected')
    .option('--reason <text>', 'why (the model and the run record see it)')
    .option('--by <name>', 'who decides (default $USER)')
    .action(
      async (runId: string, callId: string, options: { reject?: boolean; reason?: string; by?: string }) => {
        await withClient(async (doors) => {
          const by = options.by ?? process.env.USER;
          const outcome = await doors.run(runId).decide({
            callId,
            approve: !options.reject,
            ...(options.reason ? { reason: options.reason } : {}),
            ...(by ? { by } : {}),
          });
          console.log(
            `${callId}: ${outcome.approved ? 'approved' : 'rejected'}${outcome.reason ? ` (${outcome.reason})` : ''}`,
          );
        });
      },
    );
}

function cancelCommand(): Command {
  return new Command('cancel')
    .description('cancel an agent run: its running tool and model calls are cancelled, no new step starts')
    .argument('<run id>')
    .action(async (runId: string) => {
      await withClient(async (doors) => {
        await doors.run(runId).cancel();
        console.log(`cancellation of ${runId} requested`);
      });
    });
}

function listCommand(): Command {
  return new Command('list')
    .description('the agents defined in the agents folder (AGENTS_DIR or agents/)')
    .option('--dir <dir>', 'agents folder')
    .option('--json', 'print the list as JSON')
    .action(async (options: { dir?: string; json?: boolean }) => {
      const { agentsDir, listAgentFiles } = await import('../core/agentFiles.js');
      const agents = await listAgentFiles(options.dir ?? agentsDir());
      if (options.json) {
        console.log(JSON.stringify(agents));
        return;
      }
      for (const agent of agents) {
        const what = agent.problem ?? `${agent.description ?? ''} [${agent.tools.join(', ')}]`.trim();
        console.log(`${agent.problem ? '✗' : '•'} ${agent.id.padEnd(24)} ${what}`);
      }
      if (agents.some((a) => a.problem)) process.exitCode = 1;
    });
}

export function agentCommand(): Command {
  return new Command('agent')
    .description('durable agents: a model and its tools in a loop, as a workflow')
    .addCommand(runCommand())
    .addCommand(statusCommand())
    .addCommand(approveCommand())
    .addCommand(cancelCommand())
    .addCommand(listCommand());
}
