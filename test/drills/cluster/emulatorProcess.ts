// The provider emulator in its own process (`llm-orchestrator emulator`), as an operator would run
// it beside a fleet: the drill reads its call log over HTTP (GET /_emulator/calls), the record of
// what the "provider" answered, to compare with the usage ledger.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../../config/paths.js';
import type { CallRecord } from '../../../emulator/callLog.js';
import { freePort } from '../../../scripts/freePort.js';

export interface EmulatorProcess {
  url: string;
  pid: number | undefined;
  calls(): Promise<CallRecord[]>;
  stop(): Promise<void>;
}

export async function startEmulatorProcess(options: { latencyMs: number }): Promise<EmulatorProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(projectRoot, 'bin', 'llm-orchestrator.js'),
      'emulator',
      '--port',
      String(port),
      '--latency-ms',
      String(options.latencyMs),
    ],
    { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the emulator exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/_emulator/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error('the emulator did not answer within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    pid: child.pid,
    calls: async () => (await (await fetch(`${url}/_emulator/calls`)).json()) as CallRecord[],
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
