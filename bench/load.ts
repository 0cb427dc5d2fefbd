// `npm run bench -- load`: the seed's run_load_test against a worker — success rate, average / p50 /
// p95 / p99 latency and throughput — then where the time went, from a sample of the histories and
// from the worker's own metrics.
import { parseArgs } from 'node:util';
import { type Breakdown, historyBreakdown, printBreakdown } from './breakdown.js';
import { childPids, cpuSnapshot, cpuUse, printCpuUse } from './cpu.js';
import { type FloorShape, floorSender } from './floor/sender.js';
import { type LoadSummary, runLoad, summarise, variablesGenerators } from './loadgen.js';
import { commandLine, gitInfo, machineInfo, machineLine, round, serverLine, writeResult } from './report.js';
import { loggedProblems, modelCallMode, startStack } from './stack.js';
import { printWorkerTimings, type WorkerTiming, workerTimings } from './workerMetrics.js';

export const loadUsage = `npm run bench -- load [options]
  --count <n>              requests to send (default 1000)
  --concurrency <n>        requests in flight at once (default 64)
  --task-type <type>       task type (default general_qa)
  --template <id>          template id (default general_qa)
  --model <id>             preferred model (default: the routing table decides)
  --variables <name>       variables generator: ${Object.keys(variablesGenerators).join(', ')} (default question)
  --latency-ms <ms>        emulator latency before every answer, own stack only (default 50)
  --warmup <n>             requests sent first and not counted (default 50)
  --breakdown <n>          histories read for the time breakdown (default 200, 0 = none)
  --shape <shape>          orchestrator (default); or, for comparison, the same load through workflows
                           with no orchestrator code: floor (the orchestrator's shape: local activities
                           and a child workflow) or single (one workflow, one activity); own stack only.
                           A comma-separated list (e.g. orchestrator,single) runs each in turn on the same
                           stack and prints completed/s and CPU per request side by side, with ratios
  --rounds <n>             with several shapes: run the list n times, reversing its order every other
                           round (so a host whose speed drifts during the run weighs on each shape
                           alike), and print each round's ratios and their median (default 1)
  --model-calls <mode>     child (the default: first model in the request, fallbacks as children),
                           inline or every-child; own stack only
  --address <host:port>    use a running Temporal server and its workers instead of an own stack
  --task-queue <name>      task queue with --address (default LLM_TASK_QUEUE or llm-requests)
  --namespace <ns>         namespace (default default)`;

/** One shape's headline figures, for the side-by-side table of a multi-shape run. */
interface ShapeFigures {
  shape: string;
  completedPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  workerCpuMsPerRequest: number | null;
  serverCpuMsPerRequest: number | null;
  loadAverageAtEnd: number[];
}

/** Evenly spaced successful requests, at most `limit`. */
export function sampleEvenly<T>(items: readonly T[], limit: number): T[] {
  if (limit <= 0) return [];
  if (items.length <= limit) return [...items];
  const step = items.length / limit;
  return Array.from({ length: limit }, (_, i) => items[Math.floor(i * step)] as T);
}

export async function runLoadBenchmark(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '64' },
      'task-type': { type: 'string', default: 'general_qa' },
      template: { type: 'string', default: 'general_qa' },
      model: { type: 'string' },
      variables: { type: 'string', default: 'question' },
      'latency-ms': { type: 'string', default: '50' },
      warmup: { type: 'string', default: '50' },
      breakdown: { type: 'string', default: '200' },
      shape: { type: 'string', default: 'orchestrator' },
      address: { type: 'string' },
      'task-queue': { type: 'string' },
      'model-calls': { type: 'string', default: 'child' },
      namespace: { type: 'string' },
      rounds: { type: 'string', default: '1' },
    },
  });
  const generator = variablesGenerators[values.variables];
  if (!generator) throw new Error(`unknown --variables ${values.variables}\n${loadUsage}`);
  const count = Number(values.count);
  const concurrency = Number(values.concurrency);
  const latencyMs = Number(values['latency-ms']);
  const warmup = Number(values.warmup);
  const shapes = values.shape.split(',').map((s) => s.trim());
  for (const shape of shapes)
    if (!['orchestrator', 'floor', 'single'].includes(shape))
      throw new Error(`unknown --shape ${shape}\n${loadUsage}`);
  if (shapes.some((s) => s !== 'orchestrator') && values.address)
    throw new Error('--shape floor|single needs an own stack');
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds must be a whole number ≥ 1\n${loadUsage}`);

  const stack = await startStack({
    ...(values.address
      ? { address: values.address }
      : {
          latency: { fixedMs: latencyMs },
          settings: { modelCalls: modelCallMode(values['model-calls']) },
        }),
    ...(values['task-queue'] ? { taskQueue: values['task-queue'] } : {}),
    ...(values.namespace ? { namespace: values.namespace } : {}),
  });
  const runShape = async (shape: string): Promise<ShapeFigures> => {
    const floor =
      shape === 'orchestrator' || !stack.nativeConnection || !stack.emulator
        ? undefined
        : await floorSender(
            stack.temporal,
            stack.nativeConnection,
            stack.emulator.openaiBaseURL,
            shape as FloorShape,
          );
    try {
      const machine = machineInfo();
      console.log(
        `Load${floor ? ` (shape ${shape}: no orchestrator code)` : ''}: ${count} requests, concurrency ${concurrency}, task ${values['task-type']}, template ${values.template}, variables ${values.variables}${values.model ? `, model ${values.model}` : ''}${stack.emulator ? `, emulator latency ${latencyMs} ms` : ''}; ${warmup} warm-up requests first\n`,
      );
      const load = (n: number, prefix: string) =>
        runLoad({
          client: stack.client,
          count: n,
          concurrency,
          taskType: values['task-type'],
          templateId: values.template,
          variables: generator.make,
          idPrefix: prefix,
          ...(values.model ? { request: { model: values.model } } : {}),
          ...(floor ? { execute: floor.execute } : {}),
        });
      const stamp = `${shape}-${Date.now().toString(36)}`;
      if (warmup > 0) await load(warmup, `bench-warmup-${stamp}`);
      stack.emulator?.clearCalls();
      const metricsBefore = (await stack.workerMetrics()) ?? '';
      const processes = {
        [stack.worker.where === 'in this process'
          ? 'this process (worker, client, emulator)'
          : 'this process (client)']: process.pid,
        'Temporal dev server': childPids(process.pid, 'temporal')[0],
      };
      const cpuBefore = cpuSnapshot(processes);
      const { records, wallMs } = await load(count, `bench-load-${stamp}`);
      const cpu = cpuUse(cpuBefore, cpuSnapshot(processes), count);
      const metricsAfter = await stack.workerMetrics();
      const summary: LoadSummary = summarise(records, wallMs);
      const timings: WorkerTiming[] = metricsAfter ? workerTimings(metricsAfter, metricsBefore) : [];

      console.table([
        {
          requests: summary.totalRequests,
          succeeded: summary.successfulRequests,
          failed: summary.failedRequests,
          'success rate': summary.successRate,
          'avg ms': summary.latency.meanMs,
          'p50 ms': summary.latency.p50Ms,
          'p95 ms': summary.latency.p95Ms,
          'p99 ms': summary.latency.p99Ms,
          'wall s': summary.wallSeconds,
          'completed/s': summary.completedPerSecond,
        },
      ]);
      if (summary.failedRequests) console.log('Errors by type:', summary.errorsByType);
      if (summary.cachedResults) console.log(`${summary.cachedResults} results came from the cache.`);
      const emulatorCalls = stack.emulator?.calls() ?? [];
      const providerMs = emulatorCalls.map((c) => c.durationMs ?? 0);
      const providerMeanMs = providerMs.length
        ? providerMs.reduce((a, b) => a + b, 0) / providerMs.length
        : 0;
      if (stack.emulator)
        console.log(
          `Emulator: ${emulatorCalls.length} calls, mean ${providerMeanMs.toFixed(1)} ms at the emulator`,
        );

      let breakdown: Breakdown | undefined;
      const samples = sampleEvenly(
        records.filter((r) => r.status === 'success'),
        Number(values.breakdown),
      );
      if (samples.length) {
        breakdown = await historyBreakdown(
          stack.temporal,
          samples.map((r) => ({
            workflowId: r.requestId,
            clientStartMs: r.startedAtMs,
            clientEndMs: r.finishedAtMs,
          })),
        );
        printBreakdown(breakdown);
      }
      printWorkerTimings(timings);
      printCpuUse(cpu, count);
      const problems = loggedProblems();
      if (problems.length) console.log('\nSDK warnings/errors during the run:', problems);

      const date = new Date().toISOString();
      const file = writeResult('load', date, {
        benchmark: 'load',
        date,
        command: commandLine('load', argv),
        git: gitInfo(),
        machine,
        server: stack.server,
        worker: stack.worker,
        options: {
          count,
          concurrency,
          taskType: values['task-type'],
          templateId: values.template,
          model: values.model ?? null,
          variables: values.variables,
          shape,
          emulatorLatencyMs: stack.emulator ? latencyMs : null,
          warmup,
        },
        summary,
        emulator: stack.emulator ? { calls: emulatorCalls.length, meanMs: providerMeanMs } : null,
        targets: {
          completedPerSecondAtConcurrency64: {
            target: 100,
            reached: concurrency === 64 ? summary.completedPerSecond : null,
          },
        },
        breakdown: breakdown ?? null,
        workerTimings: timings,
        cpu,
        loadAverageAtEnd: machineInfo().loadAverage,
        sdkProblems: problems,
        errors: records.filter((r) => r.status === 'error').slice(0, 20),
      });
      console.log(`\nWrote ${file}`);
      const perRequest = (label: string) =>
        cpu.find((c) => c.label.startsWith(label))?.cpuMsPerRequest ?? null;
      return {
        shape,
        completedPerSecond: summary.completedPerSecond,
        p50Ms: summary.latency.p50Ms,
        p99Ms: summary.latency.p99Ms,
        failed: summary.failedRequests,
        workerCpuMsPerRequest: perRequest('this process'),
        serverCpuMsPerRequest: perRequest('Temporal dev server'),
        loadAverageAtEnd: machineInfo().loadAverage,
      };
    } finally {
      await floor?.stop();
    }
  };

  try {
    console.log(machineLine(machineInfo()));
    console.log(serverLine(stack.server));
    console.log(
      `Worker: ${stack.worker.where}; ${JSON.stringify(stack.worker.options)}${stack.worker.settings ? `; retry ${JSON.stringify(stack.worker.settings.retry)}` : ''}`,
    );
    const perRound: ShapeFigures[][] = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? shapes : [...shapes].reverse();
      const figures: ShapeFigures[] = [];
      for (const shape of order) figures.push(await runShape(shape));
      perRound.push(shapes.map((shape) => figures.find((f) => f.shape === shape) as ShapeFigures));
    }
    if (shapes.length > 1) printShapeComparison(perRound);
  } finally {
    await stack.stop();
  }
}

const ratio = (a: number | null, b: number | null | undefined): number | null =>
  a !== null && b ? round(a / b, 2) : null;

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value =
    sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return round(value, 2);
}

/** Each round's shapes side by side with their ratios to `single` (or the last shape), then medians. */
function printShapeComparison(perRound: ShapeFigures[][]): void {
  // Same stack, same run: the ratios are what to quote on a shared machine.
  const baseShape = perRound[0]?.some((f) => f.shape === 'single') ? 'single' : perRound[0]?.at(-1)?.shape;
  const ratios = perRound.map((figures) => {
    const base = figures.find((f) => f.shape === baseShape);
    return figures.map((f) => ({
      f,
      throughput: ratio(f.completedPerSecond, base?.completedPerSecond),
      cpu: ratio(f.workerCpuMsPerRequest, base?.workerCpuMsPerRequest),
    }));
  });
  console.log('\nShapes in this run, one after another on the same stack:');
  console.table(
    ratios.flatMap((row, round) =>
      row.map(({ f, throughput, cpu }) => ({
        ...(perRound.length > 1 ? { round: round + 1 } : {}),
        shape: f.shape,
        'completed/s': f.completedPerSecond,
        'p50 ms': f.p50Ms,
        'p99 ms': f.p99Ms,
        failed: f.failed,
        'worker CPU ms/req': f.workerCpuMsPerRequest,
        'server CPU ms/req': f.serverCpuMsPerRequest,
        [`completed/s ÷ ${baseShape}`]: throughput,
        [`worker CPU ÷ ${baseShape}`]: cpu,
        'load avg at end': f.loadAverageAtEnd.join(' '),
      })),
    ),
  );
  if (perRound.length < 2) return;
  const shapes = perRound[0]?.map((f) => f.shape) ?? [];
  console.log(`\nMedians over ${perRound.length} rounds:`);
  console.table(
    shapes.map((shape, i) => ({
      shape,
      [`completed/s ÷ ${baseShape}`]: median(ratios.flatMap((row) => row[i]?.throughput ?? [])),
      [`worker CPU ÷ ${baseShape}`]: median(ratios.flatMap((row) => row[i]?.cpu ?? [])),
    })),
  );
}
