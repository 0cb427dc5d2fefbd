// The embedded server's database: the same requests through the orchestrator (in-process worker,
// emulator at 50 ms, a client on the worker's connection that starts eagerly, as `npm start` runs
// it) against a dev server with an in-memory database, a file database with SQLite's defaults, and a
// file database with the `--sqlite-pragma` settings `npm start` uses. One server at a time, in this
// run; per variant, sequential latency through `client.process` and through the HTTP door
// (interleaved), and throughput at a concurrency.
// Run: node --import tsx bench/sqlite.ts [--rounds 60] [--count 200] [--concurrency 32]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { OrchestratorClient } from '../client/client.js';
import type { LlmRequest } from '../common/request.js';
import { loadTemplateRegistry } from '../core/templates/index.js';
import { createEmulator } from '../emulator/server.js';
import { fastDevServerArgs, fileDatabasePragmaArgs } from '../scripts/devServer.js';
import { ensureTemporalCli } from '../scripts/provision.js';
import { templatesDir } from '../workers/config.js';
import { createOrchestratorWorker } from '../workers/worker.js';
import { searchAttributeKeys } from '../workflows/searchAttributes.js';
import { DOOR_CALLER, startDoor } from './door.js';
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
  const client = new OrchestratorClient({
    client: new Client({ connection: env.nativeConnection, namespace: 'default' }),
    taskQueue,
    eagerStart: true,
  });
  const door = await startDoor(client, await loadTemplateRegistry(templatesDir()));
  const stamp = Date.now().toString(36);
  const request = (i: number): LlmRequest => ({
    requestId: `bench-sqlite-${stamp}-${i}`,
    taskType: 'general_qa',
    templateId: 'general_qa',
    variables: { question: `SQLite question ${i} (${stamp}): what does the database cost?` },
    model: 'gpt-4o-mini',
    caller: DOOR_CALLER,
  });
  const timed = async (run: () => Promise<unknown>): Promise<number> => {
    const started = performance.now();
    await run();
    return performance.now() - started;
  };
  try {
    for (let i = 0; i < 10; i += 1) await client.process(request(-1 - i));
    for (let i = 0; i < 5; i += 1) await door.send(request(-100 - i));
    const samples: number[] = [];
    const doorSamples: number[] = [];
    for (let i = 0; i < rounds; i += 1) {
      samples.push(await timed(() => client.process(request(i))));
      doorSamples.push(await timed(() => door.send(request(-1000 - i))));
    }
    const sequential = latencyStats(samples.sort((a, b) => a - b));
    const throughDoor = latencyStats(doorSamples.sort((a, b) => a - b));
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
      'door p50 ms': throughDoor.p50Ms,
      'door p99 ms': throughDoor.p99Ms,
      [`completed/s at ${concurrency}`]: Math.round((count / seconds) * 10) / 10,
    };
  } finally {
    await door.close();
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
