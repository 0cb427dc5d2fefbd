// The `llm-orchestrator` command. Only the subcommand being run is loaded (cli/commands.ts); the
// others appear in the help as their one-line summaries.
import { Command, Help } from 'commander';
import { COMMANDS } from './commands.js';

/** The subcommand argv names (`run`, or `help run`), if any. */
function requestedCommand(args: readonly string[]): string | undefined {
  const [first, second] = args;
  return first === 'help' ? second : first;
}

/** The command tree with `wanted` loaded in full (every subcommand when `wanted` is `'*'`). */
export async function program(wanted?: string): Promise<Command> {
  const root = new Command('llm-orchestrator')
    .description('Durable LLM orchestrator on Temporal')
    .showHelpAfterError();
  const terms = new Map(COMMANDS.map((entry) => [entry.name, entry.term]));
  const help = new Help();
  root.configureHelp({
    subcommandTerm: (command) => terms.get(command.name()) ?? help.subcommandTerm(command),
  });
  for (const entry of COMMANDS) {
    const loaded = wanted === '*' || wanted === entry.name;
    root.addCommand(loaded ? await entry.load() : new Command(entry.name).description(entry.description));
  }
  return root;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await (await program(requestedCommand(argv.slice(2)))).parseAsync(argv);
  } catch (error) {
    const { failureLine } = await import('./run.js');
    console.error(`error: ${failureLine(error)}`);
    // Exit now: a worker that failed to start can leave native handles that keep the process alive.
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
