// The V8 watchdog's cost: the SDK passes `isolateExecutionTimeout` (default 5 s) as Node's vm
// `timeout` on every call into a workflow context, and Node starts (and joins) a watchdog thread for
// each such call. This measures (1) one call into a vm context with and without `timeout`, wall and
// CPU (all threads), and (2) how many calls into the workflow context a request makes on the real
// worker, counted in the workflow threads, so the watchdog's share of the worker's CPU follows.
// Run: node --import tsx --import ./bench/watchdogCount.mjs bench/watchdog.ts [--calls 20000] [--requests 200] [--concurrency 8]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import vm from 'node:vm';
import { BroadcastChannel } from 'node:worker_threads';
import { machineInfo, machineLine } from './report.js';
import { startStack } from './stack.js';

/** The channel bench/watchdogCount.mjs posts its counts on. */
const WATCHDOG_CHANNEL = 'bench-watchdog-calls';

/** Per-call cost of `script.runInContext(context, options)`: wall µs and CPU µs (every thread). */
function perCall(calls: number, options: vm.RunningScriptOptions): { wallUs: number; cpuUs: number } {
  const context = vm.createContext({ n: 0 });
  const script = new vm.Script('n += 1');
  for (let i = 0; i < 1000; i += 1) script.runInContext(context, options); // warm up
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i += 1) script.runInContext(context, options);
  const wallNs = Number(process.hrtime.bigint() - started);
  const used = process.cpuUsage(cpu);
  return { wallUs: wallNs / 1000 / calls, cpuUs: (used.user + used.system) / calls };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '20000' },
      requests: { type: 'string', default: '200' },
      concurrency: { type: 'string', default: '8' },
    },
  });
  const calls = Number(values.calls);
  console.log(machineLine(machineInfo()));

  const timed = perCall(calls, { timeout: 5000 });
  const untimed = perCall(calls, {});
  console.table({
    'with timeout: 5000 (the SDK)': {
      'wall µs/call': round(timed.wallUs),
      'CPU µs/call': round(timed.cpuUs),
    },
    'without timeout': { 'wall µs/call': round(untimed.wallUs), 'CPU µs/call': round(untimed.cpuUs) },
  });

  // Calls per request on the orchestrator's own worker, in this process (the workflow thread counts).
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  let byFunction = new Map<string, number>();
  const channel = new BroadcastChannel(WATCHDOG_CHANNEL);
  channel.onmessage = (event) => {
    for (const [name, n] of Object.entries((event as MessageEvent).data as Record<string, number>))
      byFunction.set(name, (byFunction.get(name) ?? 0) + n);
  };
  const stack = await startStack({ latency: { fixedMs: 50 } });
  try {
    const stamp = randomUUID().slice(0, 8);
    const send = (i: number) =>
      stack.client.process({
        requestId: `bench-watchdog-${stamp}-${i}`,
        taskType: 'general_qa',
        templateId: 'general_qa',
        variables: { question: `What does call ${i} cost?` },
        model: 'gpt-4o-mini',
      });
    for (let i = 0; i < 10; i += 1) await send(-1 - i); // warm up
    await sleep(300);
    byFunction = new Map();
    const cpu = process.cpuUsage();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests) await send(next++);
      }),
    );
    const used = process.cpuUsage(cpu);
    await sleep(300); // the last counts
    const counted = [...byFunction.values()].reduce((a, b) => a + b, 0);
    const perRequest = counted / requests;
    const processCpuMs = (used.user + used.system) / 1000 / requests;
    const watchdogMs = (perRequest * (timed.cpuUs - untimed.cpuUs)) / 1000;
    console.table({
      'calls into the workflow context per request': round(perRequest),
      'this process, CPU ms per request (worker, client, emulator)': round(processCpuMs),
      'watchdog CPU ms per request (calls × extra CPU per call)': round(watchdogMs),
      'watchdog share of this process CPU': `${round((100 * watchdogMs) / processCpuMs)} %`,
    });
    console.log('Calls into the workflow context per request, by the function called:');
    console.table(Object.fromEntries([...byFunction].map(([name, n]) => [name, round(n / requests)])));
  } finally {
    channel.close();
    await stack.stop();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (process.argv[1]?.endsWith('watchdog.ts')) await main();
