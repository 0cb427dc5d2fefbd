import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { type LatencyUpdate, parseLatencySpec } from './latency.js';
import { type Emulator, type EmulatorOptions, startEmulator } from './server.js';

interface CommandOptions {
  port: number;
  host: string;
  latencyMs?: number;
  latency?: LatencyUpdate;
  tokensPerSecond?: number;
  apiKey?: string[];
  strictModels?: boolean;
}

export const DEFAULT_EMULATOR_PORT = 8787;

/**
 * The `emulator` command: runs the provider emulator until SIGINT/SIGTERM. The project CLI mounts it
 * with addCommand; onStarted lets a caller get hold of the running emulator.
 */
export function emulatorCommand(onStarted?: (emulator: Emulator) => void): Command {
  return new Command('emulator')
    .description('Run the OpenAI / Anthropic API emulator (deterministic replies, scriptable failures)')
    .option('-p, --port <port>', 'port to listen on (0 = any free port)', integer, DEFAULT_EMULATOR_PORT)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--latency-ms <ms>', 'fixed delay before every answer', number)
    .option(
      '--latency <spec>',
      'delay distribution: fixed:MS, uniform:MIN,MAX or normal:MEAN,STDDEV',
      latencySpec,
    )
    .option('--tokens-per-second <n>', 'generation speed for streams and for reply timing', number)
    .option('--api-key <key...>', 'accept only these API keys (default: any non-empty key)')
    .option('--strict-models', 'answer 404 model_not_found for models the emulator does not list')
    .action(async (opts: CommandOptions) => {
      const emulator = closeOnSignals(await startEmulator(toEmulatorOptions(opts)));
      onStarted?.(emulator);
    });
}

/** Runs the command with user arguments (no "node script" prefix) and resolves once it listens. */
export async function runEmulatorCommand(argv: readonly string[]): Promise<Emulator> {
  let started: Emulator | undefined;
  await emulatorCommand((emulator) => {
    started = emulator;
  }).parseAsync([...argv], { from: 'user' });
  if (!started) throw new Error('emulator did not start');
  return started;
}

export function toEmulatorOptions(opts: CommandOptions): EmulatorOptions {
  let latency: LatencyUpdate = opts.latency ?? {};
  if (opts.latencyMs !== undefined) latency = { ...latency, fixedMs: opts.latencyMs };
  if (opts.tokensPerSecond !== undefined) latency = { ...latency, tokensPerSecond: opts.tokensPerSecond };
  return { port: opts.port, host: opts.host, latency, apiKeys: opts.apiKey, strictModels: opts.strictModels };
}

/** Closes on SIGINT/SIGTERM; the returned emulator's close() also removes those handlers. */
function closeOnSignals(emulator: Emulator): Emulator {
  const stop = (): void => {
    void emulator.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    ...emulator,
    close: async () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await emulator.close();
    },
  };
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function number(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number');
  return n;
}

function latencySpec(value: string): LatencyUpdate {
  try {
    return parseLatencySpec(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

// Run directly: node --import tsx emulator/main.ts --port 8787
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  runEmulatorCommand(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
