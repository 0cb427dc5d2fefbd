// An orchestrator worker in its own process, exactly as an operator runs it
// (`node bin/llm-orchestrator.js worker`), pointed at a Temporal address and the provider emulator.
// Benchmarks use it to measure the worker's memory apart from the load generator's; failure drills
// use it to kill -9 a worker in the middle of provider calls.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../config/paths.js';

export interface WorkerProcessOptions {
  /** Temporal frontend, host:port. */
  address: string;
  taskQueue: string;
  /** The emulator's root URL (Anthropic base URL); the OpenAI base URL is `${url}/v1`. */
  emulatorUrl: string;
  /** More environment (e.g. WORKFLOW_BUNDLE_PATH, PROVIDER_TIMEOUT_MS). */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the worker's "worker: task queue …" line. */
  readyTimeoutMs?: number;
  /** Print the worker's output with this prefix (off by default: drills keep CI output short). */
  echo?: string;
}

export interface WorkerProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything the worker printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resident set size now, in bytes (Linux /proc); undefined once the process is gone. */
  rssBytes(): number | undefined;
  /** Sends a signal to this process only. */
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the exit code (or signal name) when the process has ended. */
  exited: Promise<number | string>;
  /** SIGTERM (the worker drains), then SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<number | string>;
}

export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'llm-orchestrator.js'), 'worker'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: options.address,
      LLM_TASK_QUEUE: options.taskQueue,
      OPENAI_API_KEY: 'bench-openai-key',
      OPENAI_BASE_URL: `${options.emulatorUrl}/v1`,
      ANTHROPIC_API_KEY: 'bench-anthropic-key',
      ANTHROPIC_BASE_URL: options.emulatorUrl,
      // Any free port for /metrics and /health: several workers may run on one machine.
      WORKER_HTTP_PORT: '0',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the worker process');
  let output = '';
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString();
    output += text;
    if (options.echo) process.stderr.write(text.replace(/^(?=.)/gm, options.echo));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });

  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const ready = await Promise.race([
    new Promise<'ready'>((resolve) => {
      const check = (): void => {
        // The worker's start line, plain or inside a JSON log line.
        if (/worker: task queue/.test(output)) resolve('ready');
      };
      child.stdout?.on('data', check);
      child.stderr?.on('data', check);
      check();
    }),
    exited.then((code) => `exited with ${code}` as const),
    new Promise<'timeout'>((resolve) => setTimeout(resolve, timeoutMs, 'timeout').unref()),
  ]);
  if (ready !== 'ready') {
    child.kill('SIGKILL');
    throw new Error(`worker process did not start (${ready}); its output:\n${output}`);
  }

  const kill = (signal: NodeJS.Signals): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  return {
    pid,
    child,
    output: () => output,
    rssBytes: () => rssOf(pid),
    kill,
    exited,
    stop: async (graceMs = 10_000) => {
      kill('SIGTERM');
      const timer = setTimeout(() => kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** VmRSS of a process from /proc, in bytes. */
export function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every intervalMs until stopped; keeps the peak and a time series. */
export function sampleRss(
  pid: number,
  intervalMs = 200,
): { stop(): { peakBytes: number; samples: { atMs: number; rssBytes: number }[] } } {
  const started = Date.now();
  const samples: { atMs: number; rssBytes: number }[] = [];
  let peakBytes = 0;
  const take = (): void => {
    const rss = rssOf(pid);
    if (rss === undefined) return;
    peakBytes = Math.max(peakBytes, rss);
    samples.push({ atMs: Date.now() - started, rssBytes: rss });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return { peakBytes, samples };
    },
  };
}
