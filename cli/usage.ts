// `usage`: what the provider calls cost, per model, task type, caller or provider, from the usage
// ledger in Redis (REDIS_URL). The in-process ledger lives and dies with its worker, so there is
// nothing to read without Redis. Also runnable on its own: `node --import tsx cli/usage.ts`.
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { readRedisUrl } from '../config/env.js';
import { createBackend } from '../core/backend.js';
import { USAGE_DIMENSIONS, type UsageDimension, type UsageRow } from '../core/usage/types.js';

export interface UsageCommandOptions {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** Key prefix of the backend (default `llm`: the ledger at `llm:usage`, as the worker writes it). */
  prefix?: string;
}

interface UsageFlags {
  since?: string;
  until?: string;
  by: UsageDimension;
  json?: boolean;
  redisUrl?: string;
}

const BY_LABEL: Record<UsageDimension, string> = {
  model: 'model',
  task: 'task type',
  caller: 'caller',
  provider: 'provider',
};

function parseDay(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError('expected a date as YYYY-MM-DD');
  }
  return value;
}

function total(rows: UsageRow[]): UsageRow {
  const sum: UsageRow = {
    key: 'total',
    calls: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    costUsd: 0,
  };
  let costUnits = 0;
  for (const row of rows) {
    sum.calls += row.calls;
    sum.inputTokens += row.inputTokens;
    sum.outputTokens += row.outputTokens;
    sum.cachedInputTokens += row.cachedInputTokens;
    costUnits += Math.round(row.costUsd * 1e8);
  }
  sum.costUsd = costUnits / 1e8;
  return sum;
}

/** A plain table: the name column left-aligned, numbers right-aligned. */
export function usageTable(by: UsageDimension, rows: UsageRow[]): string {
  const header = [BY_LABEL[by], 'calls', 'input tokens', 'cached input', 'output tokens', 'cost (USD)'];
  const line = (r: UsageRow): string[] => [
    r.key,
    String(r.calls),
    String(r.inputTokens),
    String(r.cachedInputTokens),
    String(r.outputTokens),
    r.costUsd.toFixed(6),
  ];
  const body = [header, ...rows.map(line), line(total(rows))];
  const widths = header.map((_, i) => Math.max(...body.map((cells) => (cells[i] ?? '').length)));
  const format = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [...body.slice(0, -1).map(format), format(body.at(-1) ?? [])].join('\n');
}

export function usageCommand(options: UsageCommandOptions = {}): Command {
  const out = options.stdout ?? ((text: string) => process.stdout.write(text));
  const err = options.stderr ?? ((text: string) => process.stderr.write(text));
  return new Command('usage')
    .description('Print token usage and cost per model, task type, caller or provider (reads REDIS_URL)')
    .option('--since <YYYY-MM-DD>', 'first UTC day counted (default: the first recorded)', parseDay)
    .option('--until <YYYY-MM-DD>', 'last UTC day counted (default: today)', parseDay)
    .addOption(new Option('--by <dimension>', 'group by').choices([...USAGE_DIMENSIONS]).default('model'))
    .option('--json', 'print JSON')
    .option('--redis-url <url>', 'Redis holding the usage ledger (default: $REDIS_URL)')
    .action(async (flags: UsageFlags) => {
      const url = flags.redisUrl ?? readRedisUrl();
      if (!url) {
        err(
          'error: set REDIS_URL (or --redis-url): usage is recorded in Redis; without it each worker keeps its own in-process ledger\n',
        );
        process.exitCode = 1;
        return;
      }
      const backend = createBackend({
        settings: { redisUrl: url },
        lazyConnect: true,
        ...(options.prefix ? { prefix: options.prefix } : {}),
      });
      try {
        // Connect first, so an unreachable Redis is reported as such rather than as a failed read.
        await backend.redis?.connect();
        const rows = await backend.usage.totals({
          by: flags.by,
          ...(flags.since ? { since: flags.since } : {}),
          ...(flags.until ? { until: flags.until } : {}),
        });
        if (flags.json) {
          const range = { since: flags.since ?? null, until: flags.until ?? null };
          out(`${JSON.stringify({ by: flags.by, ...range, rows, total: total(rows) }, null, 2)}\n`);
        } else {
          const range = `${flags.since ? ` since ${flags.since}` : ''}${flags.until ? ` until ${flags.until}` : ''}`;
          out(`usage by ${BY_LABEL[flags.by]}${range}\n${usageTable(flags.by, rows)}\n`);
        }
      } catch (error) {
        err(
          `error: cannot read usage from ${url}: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exitCode = 1;
      } finally {
        await backend.close();
      }
    });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await usageCommand().parseAsync(process.argv);
}
