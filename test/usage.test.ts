// The usage ledger, the same on Redis and in-process: a call recorded twice (a retried activity, two
// workers racing) counts once; totals per model, task type, caller and provider and per request are
// exact; and the `usage` command prints them from Redis.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createUsageActivities, lostCalls, recordCallUsage } from '../activities/usage.js';
import { usageCommand } from '../cli/usage.js';
import { COST_KINDS, type CostKind } from '../common/catalog.js';
import { InProcessUsageLedger } from '../core/usage/memoryLedger.js';
import { RedisUsageLedger } from '../core/usage/redisLedger.js';
import type { UsageLedger, UsageRecord, UsageTotals } from '../core/usage/types.js';
import { type RunningRedis, startRedis } from '../scripts/redis.js';
import { type CommandOutput, runInProcess } from './support/cli.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

let server: RunningRedis;
let redis: Redis;
let second: Redis;
before(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  second = new Redis(server.url);
});
after(async () => {
  await Promise.all([redis?.quit(), second?.quit()]);
  await server?.stop();
});

/** Two ledgers over the same data: two Redis connections (two workers), or one process. */
const backends: { name: string; make: () => [UsageLedger, UsageLedger] }[] = [
  {
    name: 'redis',
    make: () => {
      const prefix = `test-${randomUUID()}`;
      return [new RedisUsageLedger(redis, { prefix }), new RedisUsageLedger(second, { prefix })];
    },
  },
  {
    name: 'in-process',
    make: () => {
      const ledger = new InProcessUsageLedger();
      return [ledger, ledger];
    },
  },
];

/** Totals with every count this test does not name at zero. */
function totals(
  named: Partial<Omit<UsageTotals, 'costByKind'>> & { costByKind?: Partial<Record<CostKind, number>> },
): UsageTotals {
  const costByKind = Object.fromEntries(COST_KINDS.map((k) => [k, named.costByKind?.[k] ?? 0])) as Record<
    CostKind,
    number
  >;
  return {
    calls: 0,
    embeddingCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    imageInputTokens: 0,
    costUsd: 0,
    ...named,
    costByKind,
  };
}

const DAY1 = Date.parse('2026-11-24T10:00:00Z');
const DAY2 = Date.parse('2026-11-25T23:59:59Z');

function call(n: number, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    callKey: `wf-${n}/1/1`,
    requestId: `wf-${n}`,
    taskType: 'general_qa',
    model: 'gpt-4o-mini',
    provider: 'openai',
    caller: 'billing',
    usage: { inputTokens: 100, outputTokens: 20, totalTokens: 120 },
    costUsd: 0.000027,
    at: DAY2,
    ...overrides,
  };
}

/** Calls across two days, three models, two task types and three callers. */
const CALLS: UsageRecord[] = [
  call(1, { at: DAY1 }),
  call(2, { at: DAY1, caller: 'search' }),
  call(3, {
    model: 'gpt-4o',
    usage: { inputTokens: 1000, outputTokens: 500, totalTokens: 1500, cachedInputTokens: 400 },
    costUsd: 0.0065,
  }),
  call(4, { model: 'claude-haiku-4-5', provider: 'anthropic', taskType: 'code_generation', costUsd: 0.0002 }),
  call(5, { taskType: 'code_generation', caller: undefined }),
  // A second call of request 5 (a repair), and a retry of request 5's first call's activity.
  call(5, { callKey: 'wf-5/2/1', taskType: 'code_generation', caller: undefined }),
  call(5, { callKey: 'wf-5/1/2', taskType: 'code_generation', caller: undefined }),
];

for (const backend of backends) {
  describe(`usage ledger on ${backend.name}`, () => {
    it('counts a call once however often and from however many workers it is recorded', async () => {
      const [a, b] = backend.make();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => ((i % 2 ? a : b) as UsageLedger).record(call(1))),
      );
      assert.equal(results.filter(Boolean).length, 1);
      const [row] = await a.totals({ by: 'model' });
      assert.deepEqual(row, {
        key: 'gpt-4o-mini',
        ...totals({ calls: 1, inputTokens: 100, outputTokens: 20, costUsd: 0.000027 }),
      });
    });

    it('totals by model, task type, caller and provider, highest cost first', async () => {
      const [ledger, again] = backend.make();
      for (const record of CALLS) assert.equal(await ledger.record(record), true);
      for (const record of CALLS) assert.equal(await again.record(record), false);

      const byModel = await ledger.totals({ by: 'model' });
      assert.deepEqual(
        byModel.map((r) => [r.key, r.calls, r.inputTokens, r.cachedInputTokens, r.outputTokens, r.costUsd]),
        [
          ['gpt-4o', 1, 1000, 400, 500, 0.0065],
          ['claude-haiku-4-5', 1, 100, 0, 20, 0.0002],
          ['gpt-4o-mini', 5, 500, 0, 100, 0.000135],
        ],
      );
      const byTask = await ledger.totals({ by: 'task' });
      assert.deepEqual(
        byTask.map((r) => [r.key, r.calls, r.costUsd]),
        [
          ['general_qa', 3, 0.006554],
          ['code_generation', 4, 0.000281],
        ],
      );
      const byCaller = await ledger.totals({ by: 'caller' });
      assert.deepEqual(
        byCaller.map((r) => [r.key, r.calls, r.costUsd]),
        [
          ['billing', 3, 0.006727],
          ['anonymous', 3, 0.000081],
          ['search', 1, 0.000027],
        ],
      );
      const byProvider = await ledger.totals({ by: 'provider' });
      assert.deepEqual(
        byProvider.map((r) => [r.key, r.calls]),
        [
          ['openai', 6],
          ['anthropic', 1],
        ],
      );
    });

    it('counts each call in its own UTC day, and --since/--until pick days', async () => {
      const [ledger] = backend.make();
      for (const record of CALLS) await ledger.record(record);
      const day1 = await ledger.totals({ by: 'caller', until: '2026-11-24' });
      assert.deepEqual(
        day1.map((r) => [r.key, r.calls]),
        [
          ['billing', 1],
          ['search', 1],
        ],
      );
      const day2 = await ledger.totals({ by: 'caller', since: '2026-11-25' });
      assert.equal(
        day2.reduce((sum, r) => sum + r.calls, 0),
        5,
      );
      assert.deepEqual(await ledger.totals({ by: 'model', since: '2026-11-26' }), []);
    });

    it('keeps per-request totals over all of a request’s calls', async () => {
      const [ledger] = backend.make();
      for (const record of CALLS) await ledger.record(record);
      assert.deepEqual(
        await ledger.requestTotals('wf-5'),
        totals({ calls: 3, inputTokens: 300, outputTokens: 60, costUsd: 0.000081 }),
      );
      assert.equal(await ledger.requestTotals('never'), undefined);
    });

    it('records through the activity and from inside a provider call, once per call key', async () => {
      const [ledger] = backend.make();
      const { recordUsage } = createUsageActivities({ usage: ledger });
      const input = {
        requestId: 'req-a',
        taskType: 'general_qa',
        caller: 'billing',
        calls: [
          {
            callKey: 'req-a/1-gpt-4o-mini/1',
            model: 'gpt-4o-mini',
            provider: 'openai',
            usage: call(0).usage,
            costUsd: 0.000027,
          },
        ],
      };
      assert.deepEqual(await recordUsage(input), { counted: 1, repeated: 0 });
      assert.deepEqual(await recordUsage(input), { counted: 0, repeated: 1 });

      const info = { workflowExecution: { workflowId: 'req-b/1-gpt-4o' }, activityId: '1', attempt: 3 };
      const facts = {
        requestId: 'req-b',
        taskType: 'general_qa',
        model: 'gpt-4o',
        provider: 'openai',
        usage: { inputTokens: 10, outputTokens: 10, totalTokens: 20 },
        costUsd: 0.000125,
      };
      assert.equal(await recordCallUsage(ledger, info, facts), true);
      assert.equal(await recordCallUsage(ledger, info, facts), false);
      assert.equal(await recordCallUsage(ledger, { ...info, attempt: 4 }, facts), true);
      assert.equal((await ledger.requestTotals('req-b'))?.calls, 2);
    });

    it('adds up every kind of token and its spend, and keeps each call for a later attempt to read', async () => {
      const [ledger, other] = backend.make();
      const claude: UsageRecord = call(7, {
        callKey: 'wf-7/1/1',
        model: 'claude-sonnet-4-6',
        provider: 'anthropic',
        usage: {
          inputTokens: 3100,
          outputTokens: 50,
          totalTokens: 3150,
          cachedInputTokens: 2000,
          cacheWriteTokens: 1000,
          cacheWrite1hTokens: 400,
          reasoningTokens: 20,
        },
        costUsd: 0.00705,
        costByKind: {
          input: 0.0003,
          cachedInput: 0.0006,
          cacheWrite5m: 0.00225,
          cacheWrite1h: 0.0024,
          output: 0.0015,
        },
      });
      const embedding: UsageRecord = call(7, {
        callKey: 'wf-7/cache-lookup/1/1',
        model: 'text-embedding-3-small',
        usage: { inputTokens: 30, outputTokens: 0, totalTokens: 30 },
        costUsd: 0.0000006,
        costByKind: { input: 0.0000006 },
        purpose: 'embedding',
      });
      assert.equal(await ledger.record(claude), true);
      assert.equal(await ledger.record(embedding), true);
      assert.deepEqual(
        await ledger.requestTotals('wf-7'),
        totals({
          calls: 2,
          embeddingCalls: 1,
          inputTokens: 3130,
          outputTokens: 50,
          cachedInputTokens: 2000,
          cacheWriteTokens: 1000,
          cacheWrite1hTokens: 400,
          reasoningTokens: 20,
          costUsd: 0.0070506,
          costByKind: {
            input: 0.0003006,
            cachedInput: 0.0006,
            cacheWrite5m: 0.00225,
            cacheWrite1h: 0.0024,
            output: 0.0015,
          },
        }),
      );
      // Another worker reads what attempt 1 was billed; attempt 2 failed (it said so) and made no call.
      assert.deepEqual(await other.call('wf-7/1/1'), claude);
      const info = { workflowExecution: { workflowId: 'wf-7' }, activityId: '1', attempt: 3 };
      assert.deepEqual(await lostCalls(other, info, [{ try: 2 }]), [
        { try: 1, usage: claude.usage, costUsd: claude.costUsd },
      ]);
      assert.deepEqual(await lostCalls(other, { ...info, attempt: 1 }, []), []);
    });
  });
}

/** Runs the command as an operator would: through the installed `llm-orchestrator` binary. */
function runBin(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/llm-orchestrator.js'), 'usage', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The same command object in this process (seconds faster than a child process per case). */
const run = (args: string[], env: Record<string, string>): Promise<CommandOutput> =>
  runInProcess((io) => usageCommand(io), args, env);

describe('the usage command', () => {
  before(async () => {
    // The worker's ledger: default key prefix, on the Redis the command reads.
    const ledger = new RedisUsageLedger(redis);
    for (const record of CALLS) await ledger.record(record);
  });

  it('llm-orchestrator usage --by model --json prints totals by model as JSON', async () => {
    const { code, stdout, stderr } = await runBin(['--by', 'model', '--json'], { REDIS_URL: server.url });
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as {
      by: string;
      rows: { key: string; calls: number; costUsd: number }[];
      total: { calls: number; costUsd: number };
    };
    assert.equal(report.by, 'model');
    assert.deepEqual(
      report.rows.map((r) => [r.key, r.calls, r.costUsd]),
      [
        ['gpt-4o', 1, 0.0065],
        ['claude-haiku-4-5', 1, 0.0002],
        ['gpt-4o-mini', 5, 0.000135],
      ],
    );
    assert.deepEqual([report.total.calls, report.total.costUsd], [7, 0.006835]);
  });

  it('prints a table by caller since a day', async () => {
    const { status, stdout, stderr } = await run(['--by', 'caller', '--since', '2026-11-25'], {
      REDIS_URL: server.url,
    });
    assert.equal(status, 0, stderr);
    const lines = stdout.trim().split('\n');
    assert.equal(lines[0], 'usage by caller since 2026-11-25');
    assert.match(
      lines[1] ?? '',
      /^caller\s+calls\s+input tokens\s+cached input\s+cache writes\s+output tokens\s+reasoning\s+cost \(USD\)$/,
    );
    assert.match(lines[2] ?? '', /^billing\s+2\s+1100\s+400\s+0\s+520\s+0\s+0\.006700$/);
    assert.match(lines[3] ?? '', /^anonymous\s+3\s+300\s+0\s+0\s+60\s+0\s+0\.000081$/);
    assert.match(lines[4] ?? '', /^total\s+5\s+1400\s+400\s+0\s+580\s+0\s+0\.006781$/);
    // Then spend by kind: these hand-made records carry no split, so only the cost column is filled.
    assert.equal(lines[6], 'spend by kind (USD)');
    assert.match(
      lines[7] ?? '',
      /^caller\s+input\s+cache reads\s+writes 5m\s+writes 1h\s+images\s+output\s+reasoning\s+embeddings\s+cost \(USD\)$/,
    );
  });

  it('says what to set when REDIS_URL is missing, and rejects a bad date', async () => {
    const missing = await run(['--by', 'task'], { REDIS_URL: '' });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /set REDIS_URL/);
    const bad = await run(['--since', '25/11/2026'], { REDIS_URL: server.url });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /YYYY-MM-DD/);
  });
});
