// `npm run bench -- overhead`: what the orchestrator adds to a provider call. The same prompts go
// (a) straight through the OpenAI SDK to the emulator and (b) through the orchestrator
// (client.process), one at a time, interleaved, at a fixed emulator latency; the added latency is
// reported as a difference and a ratio of percentiles. Three more paths, in the same rotation, tell
// the lead where the difference comes from:
//   (c) the same llmRequest workflow started with eager workflow start (a client on the worker's
//       NativeConnection), i.e. what that client change would give;
//   (d) the floor: workflows of the orchestrator's shape (two local activities, a child workflow with
//       the provider call as an activity and one more local activity) and none of its code;
//   (e) the least a workflow can do: one workflow, one activity that calls the provider;
//   (f) less still: an eagerly started workflow whose one local activity calls the provider;
//   (g) the orchestrator through the HTTP door (POST /v1/requests?wait=true on the API server, in
//       this process, over the same client as (b)), so (g) − (b) is what the door adds.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import OpenAI from 'openai';
import { requestStartOptions } from '../client/client.js';
import { messageText } from '../common/messages.js';
import type { ChatMessage, LlmRequest } from '../common/request.js';
import { loadTemplateRegistry } from '../core/templates/index.js';
import { templatesDir } from '../workers/config.js';
import type { llmRequest } from '../workflows/llmRequest.js';
import { type Breakdown, historyBreakdown, printBreakdown } from './breakdown.js';
import { type CpuSnapshot, childPids, cpuSnapshot, cpuUse, printCpuUse } from './cpu.js';
import { DOOR_CALLER, startDoor } from './door.js';
import type { FloorCall } from './floor/activities.js';
import { startFloorWorker } from './floor/worker.js';
import { timedRequest } from './loadgen.js';
import {
  commandLine,
  gitInfo,
  type LatencyStats,
  latencyStats,
  machineInfo,
  machineLine,
  round,
  serverLine,
  writeResult,
} from './report.js';
import { loggedProblems, modelCallMode, startStack } from './stack.js';
import { printWorkerTimings, workerTimings } from './workerMetrics.js';

export const overheadUsage = `npm run bench -- overhead [options]
  --rounds <n>         measured rounds; each sends one request down every path (default 200)
  --warmup <n>         rounds sent first and not counted (default 30)
  --latency-ms <ms>    fixed emulator latency (default 50)
  --model <id>         model for every path (default gpt-4o-mini)
  --paths <list>       comma-separated subset of: direct,orchestrator,eager,floor,single,local,door (default all)
  --model-calls <mode> child (the default: first model in the request, fallbacks as children), inline
                       or every-child (config/routing.yaml's policy.modelCalls)`;

const MAX_OUTPUT_TOKENS = 1024; // general_qa's defaultMaxOutputTokens in config/routing.yaml

interface Sample {
  ms: number;
  ok: boolean;
  workflowId?: string;
  startedAtMs: number;
  finishedAtMs: number;
}

interface PathSpec {
  name: string;
  label: string;
  run: (round: number) => Promise<Sample>;
}

async function timed(run: () => Promise<unknown>, workflowId?: string): Promise<Sample> {
  const startedAtMs = Date.now();
  const started = performance.now();
  let ok = true;
  try {
    await run();
  } catch (error) {
    ok = false;
    console.error(`${workflowId ?? 'direct call'} failed: ${(error as Error).message}`);
  }
  return {
    ms: performance.now() - started,
    ok,
    startedAtMs,
    finishedAtMs: Date.now(),
    ...(workflowId ? { workflowId } : {}),
  };
}

export async function runOverheadBenchmark(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string', default: '200' },
      warmup: { type: 'string', default: '30' },
      'latency-ms': { type: 'string', default: '50' },
      model: { type: 'string', default: 'gpt-4o-mini' },
      paths: { type: 'string', default: 'direct,orchestrator,eager,floor,single,local,door' },
      'model-calls': { type: 'string', default: 'child' },
    },
  });
  const rounds = Number(values.rounds);
  const warmup = Number(values.warmup);
  const latencyMs = Number(values['latency-ms']);
  const model = values.model;
  const wanted = new Set(values.paths.split(',').map((p) => p.trim()));

  const stack = await startStack({
    latency: { fixedMs: latencyMs },
    settings: { modelCalls: modelCallMode(values['model-calls']) },
  });
  const { emulator, nativeConnection } = stack;
  if (!emulator || !nativeConnection) throw new Error('the overhead benchmark needs its own stack');
  const floorQueue = `bench-floor-${randomUUID().slice(0, 8)}`;
  const floorWorker = await startFloorWorker(nativeConnection, floorQueue, emulator.openaiBaseURL);
  try {
    const machine = machineInfo();
    console.log(machineLine(machine));
    console.log(serverLine(stack.server));
    console.log(`Worker: ${stack.worker.where}; ${JSON.stringify(stack.worker.options)}`);

    // Every path sends exactly the messages the orchestrator's template renders for that request.
    const templates = await loadTemplateRegistry(templatesDir());
    const openai = new OpenAI({ apiKey: 'bench-openai-key', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
    const eagerClient = new Client({ connection: nativeConnection, namespace: stack.namespace });
    // The HTTP door as `npm start` serves it, over (b)'s client, with one key.
    const door = await startDoor(stack.client, templates);
    const stamp = Date.now().toString(36);
    const request = (path: string, round: number): LlmRequest & { caller: string } => ({
      requestId: `bench-overhead-${stamp}-${path}-${round}`,
      taskType: 'general_qa',
      templateId: 'general_qa',
      // Unique per path and round: no request may be answered from the orchestrator's cache.
      variables: {
        question: `Overhead question ${round} (${path}, ${stamp}): what does a durable workflow add?`,
      },
      model,
      // The door's requests carry the caller its key names; (b) and (c) carry the same, so that (g) − (b)
      // is the door alone (the caller's budget and search attribute are the workflow's, on every path).
      caller: DOOR_CALLER,
    });
    const messagesFor = (r: LlmRequest): ChatMessage[] =>
      templates.render({ requestId: r.requestId, templateId: r.templateId, variables: r.variables }).messages;
    const floorCall = (r: LlmRequest): FloorCall => ({
      model,
      messages: messagesFor(r),
      maxOutputTokens: MAX_OUTPUT_TOKENS,
    });

    const all: PathSpec[] = [
      {
        name: 'direct',
        label: '(a) direct OpenAI SDK → emulator',
        run: (round) => {
          // Rendered templates are text messages from system and user.
          const messages = messagesFor(request('direct', round)).map((m) => ({
            role: m.role as 'system' | 'user',
            content: messageText(m),
          }));
          return timed(() =>
            openai.chat.completions.create({ model, messages, max_completion_tokens: MAX_OUTPUT_TOKENS }),
          );
        },
      },
      {
        name: 'orchestrator',
        label: '(b) orchestrator: client.process',
        run: async (round) => {
          const record = await timedRequest(stack.client, request('orchestrator', round), round);
          if (record.status === 'error')
            console.error(`${record.requestId}: ${record.errorType}: ${record.error}`);
          return {
            ms: record.latencyMs,
            ok: record.status === 'success',
            workflowId: record.requestId,
            startedAtMs: record.startedAtMs,
            finishedAtMs: record.finishedAtMs,
          };
        },
      },
      {
        name: 'eager',
        label: '(c) orchestrator, eager start',
        run: (round) => {
          const r = request('eager', round);
          return timed(async () => {
            const handle = await eagerClient.workflow.start<typeof llmRequest>('llmRequest', {
              ...requestStartOptions(r, stack.taskQueue),
              requestEagerStart: true,
            });
            await handle.result();
          }, r.requestId);
        },
      },
      {
        name: 'floor',
        label: '(d) floor: same shape, no orchestrator code',
        run: (round) => {
          const r = request('floor', round);
          return timed(
            () =>
              stack.temporal.workflow.execute('floorRequest', {
                workflowId: r.requestId,
                taskQueue: floorQueue,
                args: [floorCall(r)],
              }),
            r.requestId,
          );
        },
      },
      {
        name: 'single',
        label: '(e) one workflow, one activity',
        run: (round) => {
          const r = request('single', round);
          return timed(
            () =>
              stack.temporal.workflow.execute('floorSingle', {
                workflowId: r.requestId,
                taskQueue: floorQueue,
                args: [floorCall(r)],
              }),
            r.requestId,
          );
        },
      },
      {
        name: 'local',
        label: '(f) eager start, one local activity',
        run: (round) => {
          const r = request('local', round);
          return timed(
            () =>
              eagerClient.workflow.execute('floorLocal', {
                workflowId: r.requestId,
                taskQueue: floorQueue,
                args: [floorCall(r)],
                requestEagerStart: true,
              }),
            r.requestId,
          );
        },
      },
      {
        name: 'door',
        label: '(g) orchestrator through the HTTP door',
        run: async (round) => {
          const sent = request('door', round);
          let workflowId: string | undefined;
          const sample = await timed(async () => {
            ({ workflowId } = await door.send(sent));
          }, sent.requestId);
          return { ...sample, ...(workflowId ? { workflowId } : {}) };
        },
      },
    ];
    const paths = all.filter((p) => wanted.has(p.name));
    console.log(
      `Overhead: ${rounds} rounds (+${warmup} warm-up), one request at a time, paths in rotating order: ${paths.map((p) => p.name).join(', ')}; model ${model}, emulator latency ${latencyMs} ms\n`,
    );

    const samples = new Map<string, Sample[]>(paths.map((p) => [p.name, []]));
    let metricsBefore = '';
    const processes = {
      'this process (worker, client, emulator)': process.pid,
      'Temporal dev server': childPids(process.pid, 'temporal')[0],
    };
    let cpuBefore: CpuSnapshot = cpuSnapshot(processes);
    for (let round = 0; round < warmup + rounds; round++) {
      if (round === warmup) {
        metricsBefore = (await stack.workerMetrics()) ?? '';
        cpuBefore = cpuSnapshot(processes);
      }
      // Rotate which path goes first, so that no path always follows the same one.
      for (let k = 0; k < paths.length; k++) {
        const path = paths[(round + k) % paths.length] as PathSpec;
        const sample = await path.run(round);
        if (round >= warmup) samples.get(path.name)?.push(sample);
      }
    }
    const metricsAfter = await stack.workerMetrics();
    const cpu = cpuUse(cpuBefore, cpuSnapshot(processes), rounds * paths.length);

    const stats = new Map<string, LatencyStats>();
    for (const path of paths)
      stats.set(
        path.name,
        latencyStats(
          (samples.get(path.name) ?? []).map((s) => s.ms),
          2,
        ),
      );
    const direct = stats.get('direct');
    // The ratios, in this run: what each path adds over (a), against the floor's (e) and (f).
    const addedOver = (name: string, key: 'p50Ms' | 'p99Ms'): number | undefined => {
      const s = stats.get(name);
      return s && direct ? s[key] - direct[key] : undefined;
    };
    const ratios: Record<string, number | null> = {};
    for (const [name, floorName] of [
      ['orchestrator', 'single'],
      ['eager', 'single'],
      ['orchestrator', 'local'],
      ['eager', 'local'],
    ] as const)
      for (const key of ['p50Ms', 'p99Ms'] as const) {
        const over = addedOver(name, key);
        const floor = addedOver(floorName, key);
        ratios[`${name}/${floorName} added ${key.slice(0, 3)}`] =
          over !== undefined && floor !== undefined && floor > 0 ? round(over / floor, 2) : null;
      }
    const doorStats = stats.get('door');
    const processStats = stats.get('orchestrator');
    const doorAdds =
      doorStats && processStats
        ? {
            p50Ms: round(doorStats.p50Ms - processStats.p50Ms, 2),
            p99Ms: round(doorStats.p99Ms - processStats.p99Ms, 2),
          }
        : undefined;
    const versus = (s: LatencyStats, key: 'p50Ms' | 'p95Ms' | 'p99Ms' | 'meanMs'): number | string =>
      direct ? round(s[key] - direct[key], 2) : '';
    console.table(
      paths.map((path) => {
        const s = stats.get(path.name) as LatencyStats;
        return {
          path: path.label,
          'p50 ms': s.p50Ms,
          'p95 ms': s.p95Ms,
          'p99 ms': s.p99Ms,
          'mean ms': s.meanMs,
          'added p50': versus(s, 'p50Ms'),
          'added p99': versus(s, 'p99Ms'),
          'ratio p50': direct ? round(s.p50Ms / direct.p50Ms, 2) : '',
          failed: (samples.get(path.name) ?? []).filter((x) => !x.ok).length,
        };
      }),
    );
    const orchestrated = stats.get('orchestrator');
    const added =
      orchestrated && direct
        ? {
            p50Ms: round(orchestrated.p50Ms - direct.p50Ms, 2),
            p95Ms: round(orchestrated.p95Ms - direct.p95Ms, 2),
            p99Ms: round(orchestrated.p99Ms - direct.p99Ms, 2),
            meanMs: round(orchestrated.meanMs - direct.meanMs, 2),
          }
        : undefined;
    const ratio =
      orchestrated && direct
        ? {
            p50: round(orchestrated.p50Ms / direct.p50Ms, 2),
            p95: round(orchestrated.p95Ms / direct.p95Ms, 2),
            p99: round(orchestrated.p99Ms / direct.p99Ms, 2),
          }
        : undefined;
    const paired =
      orchestrated && direct
        ? latencyStats(
            (samples.get('orchestrator') ?? []).map((s, i) => s.ms - (samples.get('direct')?.[i]?.ms ?? 0)),
            2,
          )
        : undefined;
    if (added && paired)
      console.log(
        `Orchestrator vs direct: added p50 ${added.p50Ms} ms (target ≤ 15), p95 ${added.p95Ms} ms, p99 ${added.p99Ms} ms (target ≤ 50); per-round difference p50 ${paired.p50Ms} ms, p99 ${paired.p99Ms} ms`,
      );

    console.log(
      "\nAdded latency over (a), as a multiple of the floor's (targets: ≤ 1.5 at p50, ≤ 2 at p99):",
    );
    console.table(ratios);
    if (doorAdds)
      console.log(
        `The door over client.process (g − b): ${doorAdds.p50Ms} ms p50 (target ≤ 5), ${doorAdds.p99Ms} ms p99`,
      );

    // Where the time goes, for each workflow path.
    const breakdowns: Record<string, Breakdown> = {};
    for (const path of paths) {
      const timings = (samples.get(path.name) ?? [])
        .filter((s) => s.ok && s.workflowId)
        .map((s) => ({
          workflowId: s.workflowId as string,
          clientStartMs: s.startedAtMs,
          clientEndMs: s.finishedAtMs,
        }));
      if (!timings.length) continue;
      breakdowns[path.name] = await historyBreakdown(stack.temporal, timings);
    }
    if (breakdowns.orchestrator) {
      console.log('\n(b) orchestrator: client.process');
      printBreakdown(breakdowns.orchestrator);
    }
    const categories = new Set(Object.values(breakdowns).flatMap((b) => b.categories.map((c) => c.category)));
    console.log('\nMean ms per category, by path (from the histories):');
    console.table(
      [...categories].map((category) => ({
        category,
        ...Object.fromEntries(
          Object.entries(breakdowns).map(([name, b]) => [
            name,
            b.categories.find((c) => c.category === category)?.meanMs ?? 0,
          ]),
        ),
      })),
    );
    const worker = metricsAfter ? workerTimings(metricsAfter, metricsBefore) : [];
    printWorkerTimings(worker);
    printCpuUse(cpu, rounds * paths.length);
    const problems = loggedProblems();
    if (problems.length) console.log('\nSDK warnings/errors during the run:', problems);

    const date = new Date().toISOString();
    const file = writeResult('overhead', date, {
      benchmark: 'overhead',
      date,
      command: commandLine('overhead', argv),
      git: gitInfo(),
      machine,
      loadAverageAtEnd: machineInfo().loadAverage,
      server: stack.server,
      worker: stack.worker,
      options: { rounds, warmup, emulatorLatencyMs: latencyMs, model, paths: paths.map((p) => p.name) },
      paths: Object.fromEntries(paths.map((p) => [p.name, { label: p.label, latency: stats.get(p.name) }])),
      orchestratorAddedMs: added ?? null,
      orchestratorRatio: ratio ?? null,
      addedVersusFloor: ratios,
      doorOverProcessMs: doorAdds ?? null,
      perRoundDifference: paired ?? null,
      targets: {
        addedP50Ms: { target: 15, reached: added?.p50Ms ?? null },
        addedP99Ms: { target: 50, reached: added?.p99Ms ?? null },
      },
      breakdowns,
      workerTimings: worker,
      cpu,
      sdkProblems: problems,
    });
    console.log(`\nWrote ${file}`);
    await door.close();
  } finally {
    await floorWorker.stop();
    await stack.stop();
  }
}
