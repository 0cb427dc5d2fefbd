// `npm start`: the main job on embedded defaults. Starts a Temporal dev server (with its UI and a
// database file under .data/) unless something already answers at TEMPORAL_ADDRESS, the provider
// emulator when no provider key is set, and a worker; then prints how to send a request.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { NativeConnection } from '@temporalio/worker';
import { runApiServer } from '../api/run.js';
import { readBackendSettings, readConfigFiles, readTemporalSettings } from '../config/env.js';
import { projectRoot } from '../config/paths.js';
import { providerSettingsFromEnv } from '../core/providers/registry.js';
import { startEmulator } from '../emulator/server.js';
import { workerBackend } from '../workers/backend.js';
import { runWorker } from '../workers/main.js';
import { devServerSearchAttributeArgs } from '../workflows/searchAttributes.js';
import { fastDevServerArgs, fileDatabasePragmaArgs } from './devServer.js';
import { ensureTemporalCli } from './provision.js';

const UI_PORT = Number(process.env.TEMPORAL_UI_PORT ?? 8233);

function answers(address: string, timeoutMs = 1000): Promise<boolean> {
  const [host = 'localhost', port = '7233'] = address.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port) });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitFor(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await answers(address, 500)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the Temporal dev server did not answer at ${address} within ${timeoutMs / 1000} s`);
}

async function startEmbeddedTemporal(address: string): Promise<ChildProcess> {
  const cli = ensureTemporalCli((line) => console.log(line));
  if (!cli)
    throw new Error('no Temporal CLI could be provisioned: install `temporal` or set TEMPORAL_CLI_PATH');
  const dataDir = join(projectRoot, '.data');
  mkdirSync(dataDir, { recursive: true });
  const [host = 'localhost', port = '7233'] = address.split(':');
  const args = [
    'server',
    'start-dev',
    '--ip',
    host === 'localhost' ? '127.0.0.1' : host,
    '--port',
    port,
    '--ui-port',
    String(UI_PORT),
    '--db-filename',
    join(dataDir, 'temporal.db'),
    ...fileDatabasePragmaArgs,
    '--log-level',
    'warn',
    ...devServerSearchAttributeArgs(),
    ...fastDevServerArgs,
  ];
  const server = spawn(cli, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  server.once('exit', (code) => {
    console.error(`Temporal dev server exited (${code}); stopping.`);
    process.exit(1);
  });
  await waitFor(address, 30_000);
  return server;
}

async function main(): Promise<void> {
  const { address } = readTemporalSettings();
  let server: ChildProcess | undefined;
  if (await answers(address)) {
    console.log(`Temporal: using the server already answering at ${address}`);
  } else {
    server = await startEmbeddedTemporal(address);
    console.log(`Temporal: embedded dev server at ${address}, database .data/temporal.db`);
    console.log(`Temporal UI: http://localhost:${UI_PORT}`);
  }

  if (!process.env.OPENAI_API_KEY && !process.env.ANTHROPIC_API_KEY) {
    const emulator = await startEmulator({ port: Number(process.env.EMULATOR_PORT ?? 8787) }, () => {});
    process.env.OPENAI_API_KEY = 'emulator-key';
    process.env.OPENAI_BASE_URL = emulator.openaiBaseURL;
    process.env.ANTHROPIC_API_KEY = 'emulator-key';
    process.env.ANTHROPIC_BASE_URL = emulator.url;
    console.log('');
    console.log('*****************************************************************************');
    console.log('*  NO PROVIDER KEY SET: answers come from the local provider EMULATOR at     ');
    console.log(`*  ${emulator.url} — not from OpenAI or Anthropic.`);
    console.log('*  Set OPENAI_API_KEY and/or ANTHROPIC_API_KEY to call the real providers.   ');
    console.log('*****************************************************************************');
    console.log('');
  }

  if (!process.env.API_KEYS && !process.env.API_KEYS_FILE) {
    process.env.API_KEYS = 'dev-key:dev';
    console.log('HTTP API: local key "dev-key" (set API_KEYS or API_KEYS_FILE to choose your own)');
  }
  // One backend (one Redis connection, or this process's stores) for the API server and the worker,
  // built after the emulator's keys are in the environment.
  const backend = workerBackend({
    settings: readBackendSettings(),
    files: readConfigFiles(),
    providers: providerSettingsFromEnv(),
  });
  // The API's client shares the worker's connection, so it starts requests eagerly (no task queue
  // round trip for a request's first workflow task).
  const alongside = async (connection: NativeConnection): Promise<() => Promise<void>> => {
    const api = await runApiServer({ backend, workerConnection: connection });
    console.log('Send a request from another terminal:');
    console.log(
      `  npx llm-orchestrator run --task general_qa --template general_qa --var question="What is Temporal?"`,
    );
    console.log(
      `  curl -s ${api.url}/v1/requests?wait=true -H 'authorization: Bearer dev-key' -H 'content-type: application/json' \\`,
    );
    console.log(
      `    -d '{"taskType":"general_qa","templateId":"general_qa","variables":{"question":"What is Temporal?"}}'`,
    );
    console.log('');
    return () => api.close();
  };
  const stop = (): void => {
    server?.kill('SIGTERM');
  };
  process.once('exit', stop);
  await runWorker({ backend, alongside });
  await backend.close();
  stop();
  process.exit(0);
}

await main();
