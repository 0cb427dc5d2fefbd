// The embedded server's database: the same requests through the orchestrator (in-process worker,
// emulator at 50 ms) against a dev server with an in-memory database, a file database with SQLite's
// defaults (what `npm start` runs), and a file database with `--sqlite-pragma` settings. One server
// at a time, in this run; sequential latency and throughput at a concurrency, per variant.
// Run: node --import tsx bench/sqlite.ts [--rounds 60] [--count 200] [--concurrency 32]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { OrchestratorClient } from '../client/client.js';
import type { LlmRequest } from '../common/request.js';
import { createEmulator } from '../emulator/server.js';
import { fastDevServerArgs, fileDatabasePragmaArgs } from '../scripts/devServer.js';
import { ensureTemporalCli } from '../scripts/provision.js';
import { createOrchestratorWorker } from '../workers/worker.js';
import { searchAttributeKeys } from '../workflows/searchAttributes.js';
import { latencyStats, machineInfo, machineLine } from './report.js';
import { installRuntime } from './stack.js';

interface Variant {
  name: string;
  file: boolean;
  /** `--sqlite-pragma` arguments. */
  pragmaArgs: readonly string[];
}

const VARIANTS: Variant[] = [
  { name: 'in-memory', file: false, pragmaArgs: [] },
  { name: 'file, SQLite defaults (npm start before)', file: true, pragmaArgs: [] },
  {
    name: 'file, journal_mode=wal synchronous=normal',
    file: true,
    pragmaArgs: fileDatabasePragmaArgs,
  },
];

async function measure(
  variant: Variant,
  dir: string,
  rounds: number,
  count: number,
  concurrency: number,
): Promise<Record<string, number>> {
  const cli = ensureTemporalCli((line) => console.error(line));
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ...(cli ? { executable: { type: 'existing-path', path: cli } } : {}),
      searchAttributes: [...searchAttributeKeys],
      extraArgs: [...fastDevServerArgs, ...variant.pragmaArgs],
      log: { format: 'pretty', level: 'warn' },
      ...(variant.file
        ? { dbFilename: join(dir, `${variant.pragmaArgs.length ? 'tuned' : 'plain'}.db`) }
        : {}),
    },
  });
  const emulator = await createEmulator({ latency: { fixedMs: 50 } });
  const taskQueue = 'bench-sqlite';
  const built = await createOrchestratorWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    providers: {
      openai: { apiKey: 'bench-openai-key', baseURL: emulator.openaiBaseURL },
      anthropic: { apiKey: 'bench-anthropic-key', baseURL: emulator.url },
    },
  });
  const done = built.worker.run();
  const client = new OrchestratorClient({ client: env.client, taskQueue });
  const stamp = Date.now().toString(36);
  const request = (i: number): LlmRequest => ({
    requestId: `bench-sqlite-${stamp}-${i}`,
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question: `SQLite question ${i} (${stamp}): what does the database cost?` },
    model: 'gpt-4o-mini',
  });
  try {
    for (let i = 0; i < 10; i += 1) await client.process(request(-1 - i));
    const samples: number[] = [];
    for (let i = 0; i < rounds; i += 1) {
      const started = performance.now();
      await client.process(request(i));
      samples.push(performance.now() - started);
    }
    const sequential = latencyStats(samples.sort((a, b) => a - b));
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) await client.process(request(rounds + next++));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      'p50 ms': sequential.p50Ms,
      'p99 ms': sequential.p99Ms,
      [`completed/s at ${concurrency}`]: Math.round((count / seconds) * 10) / 10,
    };
  } finally {
    if (built.worker.getState() === 'RUNNING') built.worker.shutdown();
    await done;
    await emulator.close();
    await env.teardown();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '60' },
      count: { type: 'string', default: '200' },
      concurrency: { type: 'string', default: '32' },
    },
  });
  console.log(machineLine(machineInfo()));
  await installRuntime();
  const dir = mkdtempSync(join(tmpdir(), 'bench-sqlite-'));
  const table: Record<string, Record<string, number>> = {};
  try {
    for (const variant of VARIANTS)
      table[variant.name] = await measure(
        variant,
        dir,
        Number(values.rounds),
        Number(values.count),
        Number(values.concurrency),
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.table(table);
  console.log(machineLine(machineInfo()));
}

if (process.argv[1]?.endsWith('sqlite.ts')) await main();
