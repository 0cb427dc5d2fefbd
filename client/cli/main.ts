// The `llm-orchestrator` command.
import { Command } from 'commander';
import { emulatorCommand } from '../../emulator/main.js';
import { runWorker } from '../../workers/main.js';
import { failureLine, runCommand } from './run.js';
import { templatesCommand } from './templates.js';

export function program(): Command {
  const root = new Command('llm-orchestrator')
    .description('Durable LLM orchestrator on Temporal')
    .showHelpAfterError();
  root.addCommand(runCommand());
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
  return root;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (error) {
    console.error(`error: ${failureLine(error)}`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
