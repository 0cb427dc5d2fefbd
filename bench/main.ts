// `npm run bench -- <name> [options]`: runs one benchmark, prints its tables and writes
// bench/results/<name>-<timestamp>.json.
//
//   load         the seed's run_load_test: success rate, latency percentiles, throughput, time breakdown
//   overhead     the same prompts straight through the OpenAI SDK and through the orchestrator
//   concurrency  N requests held in flight at once on one worker process: completions and peak memory
//   tokens       token counting and context pruning throughput
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const commands: Record<string, { summary: string; run: (argv: string[]) => Promise<void> }> = {
  load: {
    summary: 'success rate, avg/p50/p95/p99 latency and throughput under load (--help for options)',
    run: async (argv) => (await import('./load.js')).runLoadBenchmark(argv),
  },
  overhead: {
    summary: "the orchestrator's added latency over a direct provider SDK call",
    run: async (argv) => (await import('./overhead.js')).runOverheadBenchmark(argv),
  },
  concurrency: {
    summary: 'requests in flight at once on one worker process, and its peak memory',
    run: async (argv) => (await import('./concurrency.js')).runConcurrencyBenchmark(argv),
  },
  tokens: {
    summary: 'token counting and context pruning throughput',
    // tokens.ts is a script that reads its own argv: run it as one.
    run: async (argv) => {
      const script = fileURLToPath(new URL('./tokens.ts', import.meta.url));
      const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...argv], { stdio: 'inherit' });
      process.exitCode = result.status ?? 1;
    },
  },
};

const usages: Record<string, () => Promise<string>> = {
  load: async () => (await import('./load.js')).loadUsage,
  overhead: async () => (await import('./overhead.js')).overheadUsage,
  concurrency: async () => (await import('./concurrency.js')).concurrencyUsage,
  tokens: async () =>
    'npm run bench -- tokens [--items 10000] [--tokens-per-item 200] [--budget 8000] [--runs 7]',
};

function help(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return `usage: npm run bench -- <name> [options]\n\n${lines.join('\n')}\n\nnpm run bench -- <name> --help for its options`;
}

const [name, ...rest] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
if (!name || name === '--help' || name === '-h') {
  console.log(help());
} else if (!command) {
  console.error(`unknown benchmark "${name}"\n\n${help()}`);
  process.exitCode = 2;
} else if (rest.includes('--help') || rest.includes('-h')) {
  console.log(await (usages[name] as () => Promise<string>)());
} else {
  try {
    await command.run(rest);
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  }
}
// The Temporal runtime and the dev server's child process would otherwise keep a finished run alive.
process.exit(process.exitCode ?? 0);
