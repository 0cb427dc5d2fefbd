// `npm run bench -- concurrency`: N requests in flight at once, each held by the emulator for S
// seconds, on one worker running in its own process (`node bin/llm-orchestrator.js worker`, as an
// operator runs it) so that its memory is measured apart from this load generator's.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { OrchestratorClient } from '../client/client.js';
import type { LlmRequest, LlmResult } from '../common/request.js';
import { configDir } from '../config/load.js';
import { workflowsPath } from '../config/paths.js';
import { createEmulator } from '../emulator/server.js';
import { startDevServer } from '../scripts/devServer.js';
import { freePort } from '../scripts/freePort.js';
import { onInterrupt } from './cleanup.js';
import { childPids, cpuSnapshot, cpuUse, printCpuUse } from './cpu.js';
import { runLoad, summarise } from './loadgen.js';
import {
  commandLine,
  gitInfo,
  machineInfo,
  machineLine,
  round,
  serverInfo,
  serverLine,
  writeResult,
} from './report.js';
import { installRuntime, modelCallMode } from './stack.js';
import { workerTimings } from './workerMetrics.js';
import { sampleRss, startWorkerProcess, type WorkerProcess } from './workerProcess.js';

export const concurrencyUsage = `npm run bench -- concurrency [options]
  --requests <n>       requests sent at once (default 1000)
  --hold-s <s>         seconds the emulator holds every provider call (default 10)
  --deadline-s <s>     each request's deadlineSeconds (default hold + 900: the start burst of a
                       large --requests takes minutes on a small machine, and a call must not run out
                       of its request's deadline before the last request has started)
  --ramp-per-s <n>     start at most n requests a second instead of all at once (a small machine's
                       server falls behind a burst of thousands: pace them so that the last starts
                       before the first call's hold ends)
  --result-polls <n>   wait for at most n results at once (each a long-poll on the server), the rest
                       in turn; default: every request's at once
  --heartbeat-timeout-s <s>
                       the provider call's heartbeat timeout (config/routing.yaml policy.retry; default
                       10): a call beats at most every half of it
  --model <id>         model (default gpt-4o-mini)
  --prebuilt-bundle    give the worker a prebuilt workflow bundle (WORKFLOW_BUNDLE_PATH) instead of
                       letting it bundle at start, as \`llm-orchestrator worker\` does by default
  --model-calls <mode> child (default) or inline: config/routing.yaml's policy.modelCalls for the worker`;

const MiB = 2 ** 20;

export async function runConcurrencyBenchmark(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      requests: { type: 'string', default: '1000' },
      'hold-s': { type: 'string', default: '10' },
      'deadline-s': { type: 'string' },
      'ramp-per-s': { type: 'string' },
      'result-polls': { type: 'string' },
      'heartbeat-timeout-s': { type: 'string' },
      model: { type: 'string', default: 'gpt-4o-mini' },
      'prebuilt-bundle': { type: 'boolean', default: false },
      'model-calls': { type: 'string', default: 'child' },
    },
  });
  const requests = Number(values.requests);
  const holdMs = Number(values['hold-s']) * 1000;
  const deadlineSeconds = Number(values['deadline-s'] ?? holdMs / 1000 + 900);
  const rampPerSecond = values['ramp-per-s'] === undefined ? undefined : Number(values['ramp-per-s']);
  if (rampPerSecond !== undefined && !(rampPerSecond > 0))
    throw new Error(`--ramp-per-s must be a positive number\n${concurrencyUsage}`);
  const resultPolls = values['result-polls'] === undefined ? undefined : Number(values['result-polls']);
  if (resultPolls !== undefined && !(Number.isInteger(resultPolls) && resultPolls > 0))
    throw new Error(`--result-polls must be a whole number ≥ 1\n${concurrencyUsage}`);
  const heartbeatTimeoutS =
    values['heartbeat-timeout-s'] === undefined ? undefined : Number(values['heartbeat-timeout-s']);
  if (heartbeatTimeoutS !== undefined && !(heartbeatTimeoutS >= 2))
    throw new Error(`--heartbeat-timeout-s must be at least 2\n${concurrencyUsage}`);
  await installRuntime();
  const env = await startDevServer();
  const emulator = await createEmulator();
  const taskQueue = `bench-concurrency-${randomUUID().slice(0, 8)}`;
  const scratch = mkdtempSync(join(tmpdir(), 'bench-concurrency-'));
  let worker: WorkerProcess | undefined;
  const cleanUp = onInterrupt(async () => {
    await worker?.stop(15_000);
    await emulator.close();
    await env.teardown();
    rmSync(scratch, { recursive: true, force: true });
  });
  try {
    const workerEnv: NodeJS.ProcessEnv = {};
    // The worker's SDK metrics, when the worker honours TEMPORAL_METRICS_BIND.
    const metricsBind = `127.0.0.1:${await freePort()}`;
    workerEnv.TEMPORAL_METRICS_BIND = metricsBind;
    // The worker reads its policy from the routing table: give it a copy with the mode asked for.
    const modelCalls = modelCallMode(values['model-calls']);
    const routingFile = join(scratch, 'routing.yaml');
    const routing = readFileSync(join(configDir, 'routing.yaml'), 'utf8');
    writeFileSync(
      routingFile,
      routing
        .replace(/^ {2}modelCalls: \w+$/m, `  modelCalls: ${modelCalls}`)
        .replace(/heartbeatTimeoutMs: \d+/, `heartbeatTimeoutMs: ${(heartbeatTimeoutS ?? 10) * 1000}`),
    );
    workerEnv.ROUTING_TABLE = routingFile;
    if (values['prebuilt-bundle']) {
      const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
      const bundlePath = join(scratch, 'workflow-bundle.js');
      writeFileSync(bundlePath, code);
      workerEnv.WORKFLOW_BUNDLE_PATH = bundlePath;
    } else {
      // An inherited WORKFLOW_BUNDLE_PATH (e.g. from the test runner) would change what is measured.
      workerEnv.WORKFLOW_BUNDLE_PATH = '';
    }
    // Tuning from the environment (workers/config.ts) reaches the worker process: say which.
    const tuningNote = Object.entries(process.env)
      .filter(([name, value]) => name.startsWith('WORKER_MAX_') && value)
      .map(([name, value]) => `, ${name}=${value}`)
      .join('');
    const startedWorkerAt = performance.now();
    worker = await startWorkerProcess({
      address: env.address,
      taskQueue,
      emulatorUrl: emulator.url,
      env: workerEnv,
      readyTimeoutMs: 120_000,
    });
    const workerStartMs = performance.now() - startedWorkerAt;
    const machine = machineInfo();
    const server = serverInfo('own dev server', env.address);
    console.log(machineLine(machine));
    console.log(serverLine(server));
    console.log(
      `Worker: child process pid ${worker.pid} (node bin/llm-orchestrator.js worker, createOrchestratorWorker defaults${tuningNote}; model calls: ${modelCalls}), started in ${Math.round(workerStartMs)} ms, ${values['prebuilt-bundle'] ? 'prebuilt bundle' : 'bundles its workflows at start'}`,
    );
    console.log(
      `Concurrency: ${requests} requests ${rampPerSecond ? `started at ${rampPerSecond}/s` : 'at once'}, each provider call held ${holdMs / 1000} s, heartbeat timeout ${heartbeatTimeoutS ?? 10} s, ${resultPolls ? `results awaited ${resultPolls} at a time` : 'every result awaited at once'}, model ${values.model}\n`,
    );
    // Settle after start-up (the bundler's garbage, lazy loads) before the idle reading.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idleRssBytes = worker.rssBytes() ?? 0;

    emulator.setLatency({ holdMs });
    const client = new OrchestratorClient({ client: env.client, taskQueue });
    const rss = sampleRss(worker.pid, 200);
    const processes = {
      'worker process': worker.pid,
      'this process (client, emulator)': process.pid,
      'Temporal dev server': childPids(process.pid, 'temporal')[0],
    };
    const cpuBefore = cpuSnapshot(processes);
    let peakInFlight = 0;
    let allInFlightAfterMs: number | undefined;
    const started = performance.now();
    const startedAtMs = Date.now();
    const inFlight = setInterval(() => {
      const pending = emulator.calls().filter((c) => c.status === 'pending').length;
      peakInFlight = Math.max(peakInFlight, pending);
      if (pending >= requests && allInFlightAfterMs === undefined)
        allInFlightAfterMs = performance.now() - started;
    }, 100);
    // A worker that dies (out of memory, say) would leave every request waiting for its deadline.
    const running = worker;
    const died = new Promise<never>((_, reject) => {
      void running.exited.then((code) =>
        reject(
          new Error(
            `the worker process exited (${code}) during the run; the end of its output:\n${running.output().slice(-4000)}`,
          ),
        ),
      );
    });
    died.catch(() => {});
    const load = runLoad({
      client,
      count: requests,
      concurrency: requests,
      ...(rampPerSecond ? { startsPerSecond: rampPerSecond } : {}),
      ...(resultPolls ? { execute: startThenWait(client, resultPolls) } : {}),
      taskType: 'general_qa',
      templateId: 'general_qa',
      request: { model: values.model, deadlineSeconds },
      idPrefix: `bench-concurrency-${Date.now().toString(36)}`,
      variables: (i) => ({ question: `Concurrency question ${i}: how many can wait at once?` }),
    });
    const { records, wallMs } = await Promise.race([load, died]);
    clearInterval(inFlight);
    const memory = rss.stop();
    const cpu = cpuUse(cpuBefore, cpuSnapshot(processes), requests);
    const summary = summarise(records, wallMs);
    const metricsText = await fetch(`http://${metricsBind}/metrics`)
      .then((r) => (r.ok ? r.text() : ''))
      .catch(() => '');
    const slots =
      /temporal_worker_task_slots_available\{[^}]*worker_type="ActivityWorker"[^}]*\}\s+(\d+)/.exec(
        metricsText,
      );

    const peakMiB = round(memory.peakBytes / MiB);
    // How fast the requests reached the provider: when the first and the last call arrived there.
    const arrivals = emulator
      .calls()
      .map((c) => c.receivedAtMs - startedAtMs)
      .sort((a, b) => a - b);
    const firstCallS = round((arrivals[0] ?? Number.NaN) / 1000, 2);
    const lastCallS = round((arrivals.at(-1) ?? Number.NaN) / 1000, 2);
    console.table([
      {
        requests,
        completed: summary.successfulRequests,
        failed: summary.failedRequests,
        'peak in flight at provider': peakInFlight,
        'all in flight after s':
          allInFlightAfterMs === undefined ? 'never' : round(allInFlightAfterMs / 1000, 2),
        'first / last at provider s': `${firstCallS} / ${lastCallS}`,
        'wall s': summary.wallSeconds,
        'p50 s': round(summary.latency.p50Ms / 1000, 2),
        'p99 s': round(summary.latency.p99Ms / 1000, 2),
        'worker idle RSS MiB': round(idleRssBytes / MiB),
        'worker peak RSS MiB': peakMiB,
      },
    ]);
    if (summary.failedRequests) console.log('Errors by type:', summary.errorsByType);
    printCpuUse(cpu, requests);
    console.log(
      `Target: ${requests} requests in flight on one worker under 1 GiB — peak RSS ${peakMiB} MiB (${memory.peakBytes < 2 ** 30 ? 'met' : 'NOT met'}); load generator RSS ${round(process.memoryUsage().rss / MiB)} MiB`,
    );
    if (peakInFlight < requests)
      console.log(
        `Only ${peakInFlight} of ${requests} provider calls were in flight at once: the last request reached the provider ${lastCallS} s after it was sent, while the first calls' ${holdMs / 1000} s holds were already ending.`,
      );

    const date = new Date().toISOString();
    const file = writeResult('concurrency', date, {
      benchmark: 'concurrency',
      date,
      command: commandLine('concurrency', argv),
      git: gitInfo(),
      machine,
      server,
      worker: {
        where: 'child process',
        command: 'node bin/llm-orchestrator.js worker',
        startMs: Math.round(workerStartMs),
        prebuiltBundle: values['prebuilt-bundle'],
        activitySlotsReportedBySdk: slots ? Number(slots[1]) : null,
      },
      options: { requests, holdMs, model: values.model },
      summary,
      peakInFlightAtProvider: peakInFlight,
      providerCallArrivalS: { first: firstCallS, last: lastCallS },
      allInFlightAfterMs: allInFlightAfterMs === undefined ? null : Math.round(allInFlightAfterMs),
      memory: {
        idleRssMiB: round(idleRssBytes / MiB),
        peakRssMiB: peakMiB,
        targetMiB: 1024,
        met: memory.peakBytes < 2 ** 30,
        samples: memory.samples.map((s) => ({ atMs: s.atMs, rssMiB: round(s.rssBytes / MiB) })),
      },
      workerTimings: metricsText ? workerTimings(metricsText) : [],
      cpu,
      loadAverageAtEnd: machineInfo().loadAverage,
      errors: records.filter((r) => r.status === 'error').slice(0, 20),
    });
    console.log(`\nWrote ${file}`);
  } finally {
    await cleanUp();
  }
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

/**
 * Starts the request at once, then waits for its result with at most `polls` others: thousands of
 * result long-polls at once overload a small server, and requests finish in about the order they
 * started, so those waiting their turn lose little.
 */
function startThenWait(client: OrchestratorClient, polls: number) {
  let free = polls;
  const queue: (() => void)[] = [];
  const acquire = (): Promise<void> =>
    free > 0 ? Promise.resolve(void free--) : new Promise((resolve) => queue.push(resolve));
  const release = (): void => {
    const next = queue.shift();
    if (next) next();
    else free++;
  };
  return async (request: LlmRequest): Promise<LlmResult> => {
    await client.start(request);
    await acquire();
    try {
      return await client.result(request.requestId);
    } finally {
      release();
    }
  };
}
