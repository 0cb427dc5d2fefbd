// The `llm-orchestrator` command.
import { Command } from 'commander';
import { emulatorCommand } from '../emulator/main.js';
import { runWorker } from '../workers/main.js';
import { chatCommand } from './chat.js';
import { circuitsCommand } from './circuits.js';
import { codecServerCommand } from './codecServer.js';
import { approveCommand, pipelineCommand } from './pipeline.js';
import { replayCommand } from './replay.js';
import { failureLine, runCommand } from './run.js';
import { serveCommand } from './serve.js';
import { templatesCommand } from './templates.js';
import { usageCommand } from './usage.js';

export function program(): Command {
  const root = new Command('llm-orchestrator')
    .description('Durable LLM orchestrator on Temporal')
    .showHelpAfterError();
  root.addCommand(runCommand());
  root.addCommand(chatCommand());
  root.addCommand(
    new Command('worker')
      .description('run a worker on LLM_TASK_QUEUE (connects to TEMPORAL_ADDRESS)')
      .option('--task-queue <name>', 'task queue (default LLM_TASK_QUEUE or llm-requests)')
      .action(async (options: { taskQueue?: string }) => {
        await runWorker(options.taskQueue ? { taskQueue: options.taskQueue } : {});
      }),
  );
  root.addCommand(emulatorCommand());
  root.addCommand(templatesCommand());
  root.addCommand(pipelineCommand());
  root.addCommand(approveCommand());
  root.addCommand(replayCommand());
  root.addCommand(codecServerCommand());
  root.addCommand(circuitsCommand());
  root.addCommand(usageCommand());
  root.addCommand(serveCommand());
  return root;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (error) {
    console.error(`error: ${failureLine(error)}`);
    // Exit now: a worker that failed to start can leave native handles that keep the process alive.
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
