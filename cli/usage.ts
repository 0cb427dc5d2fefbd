// `usage`: what the provider calls cost, per model, task type, caller or provider, from the usage
// ledger in Redis (REDIS_URL). The in-process ledger lives and dies with its worker, so there is
// nothing to read without Redis. Also runnable on its own: `node --import tsx cli/usage.ts`.
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { COST_KINDS, type CostKind } from '../common/catalog.js';
import { readRedisUrl } from '../config/env.js';
import { createBackend } from '../core/backend.js';
import { emptyCounts, toTotals } from '../core/usage/totals.js';
import { TOKEN_METRICS, USAGE_DIMENSIONS, type UsageDimension, type UsageRow } from '../core/usage/types.js';

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

/** The rows added up: tokens as integers, dollars through integer units of 1e-8, so exactly. */
function total(rows: UsageRow[]): UsageRow {
  const units = (usd: number): number => Math.round(usd * 1e8);
  const sum: UsageRow = { key: 'total', ...toTotals(emptyCounts()) };
  for (const row of rows) {
    for (const metric of ['calls', 'embeddingCalls', ...TOKEN_METRICS] as const) sum[metric] += row[metric];
    sum.costUsd = (units(sum.costUsd) + units(row.costUsd)) / 1e8;
    for (const kind of COST_KINDS)
      sum.costByKind[kind] = (units(sum.costByKind[kind]) + units(row.costByKind[kind] ?? 0)) / 1e8;
  }
  return sum;
}

/** A plain table: the name column left-aligned, numbers right-aligned. */
function table(header: string[], rows: UsageRow[], line: (r: UsageRow) => string[]): string {
  const body = [header, ...rows.map(line), line(total(rows))];
  const widths = header.map((_, i) => Math.max(...body.map((cells) => (cells[i] ?? '').length)));
  const format = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return body.map(format).join('\n');
}

/** Tokens per row: calls, input (and the cache reads, cache writes and images inside it), output. */
export function usageTable(by: UsageDimension, rows: UsageRow[]): string {
  const header = [
    BY_LABEL[by],
    'calls',
    'input tokens',
    'cached input',
    'cache writes',
    'output tokens',
    'reasoning',
    'cost (USD)',
  ];
  return table(header, rows, (r) => [
    r.key,
    String(r.calls),
    String(r.inputTokens),
    String(r.cachedInputTokens),
    String(r.cacheWriteTokens),
    String(r.outputTokens),
    String(r.reasoningTokens),
    r.costUsd.toFixed(6),
  ]);
}

const KIND_LABEL: Record<CostKind, string> = {
  input: 'input',
  cachedInput: 'cache reads',
  cacheWrite5m: 'writes 5m',
  cacheWrite1h: 'writes 1h',
  imageInput: 'images',
  output: 'output',
  reasoning: 'reasoning',
};

/** Spend per row by kind of token, in dollars; the kinds add up to the cost column exactly. */
export function spendTable(by: UsageDimension, rows: UsageRow[]): string {
  const header = [BY_LABEL[by], ...COST_KINDS.map((k) => KIND_LABEL[k]), 'embeddings', 'cost (USD)'];
  return table(header, rows, (r) => [
    r.key,
    ...COST_KINDS.map((k) => (r.costByKind[k] ?? 0).toFixed(6)),
    String(r.embeddingCalls),
    r.costUsd.toFixed(6),
  ]);
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
          out(`\nspend by kind (USD)\n${spendTable(flags.by, rows)}\n`);
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
