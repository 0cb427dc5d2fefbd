// What every benchmark report shares: the machine it ran on, the Temporal server and its settings,
// latency statistics, and writing the JSON file under bench/results/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fastDevServerArgs } from '../scripts/devServer.js';
import { ensureTemporalCli } from '../scripts/provision.js';

export const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

export interface MachineInfo {
  platform: string;
  cpus: number;
  cpuModel: string;
  totalMemoryGiB: number;
  node: string;
  /** 1, 5 and 15 minute load averages when the report was made: other work on the machine skews figures. */
  loadAverage: number[];
}

export function machineInfo(): MachineInfo {
  return {
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    totalMemoryGiB: round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: os.loadavg().map((x) => round(x, 2)),
  };
}

export function machineLine(machine: MachineInfo = machineInfo()): string {
  return `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.totalMemoryGiB} GiB, Node ${machine.node}; load average ${machine.loadAverage.join(' / ')} (1/5/15 min)`;
}

export interface ServerInfo {
  /** `own dev server` when the benchmark started it, else the address it was pointed at. */
  kind: 'own dev server' | 'external';
  address: string;
  /** `temporal --version` of the CLI that runs (or would run) the dev server. */
  cliVersion: string;
  /** The dynamic config values the dev server was started with (none known for an external one). */
  dynamicConfig: Record<string, string>;
}

export function temporalCliVersion(): string {
  const path = ensureTemporalCli();
  if (!path) return 'unknown (no Temporal CLI provisioned)';
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
  } catch (error) {
    return `unknown (${(error as Error).message})`;
  }
}

/** The `--dynamic-config-value key=value` pairs of scripts/devServer.ts. */
export function devServerDynamicConfig(): Record<string, string> {
  const config: Record<string, string> = {};
  fastDevServerArgs.forEach((arg, index) => {
    const next = fastDevServerArgs[index + 1];
    if (arg !== '--dynamic-config-value' || !next) return;
    const [key = '', value = ''] = next.split('=', 2);
    config[key] = value;
  });
  return config;
}

export function serverInfo(kind: ServerInfo['kind'], address: string): ServerInfo {
  return {
    kind,
    address,
    cliVersion: temporalCliVersion(),
    dynamicConfig: kind === 'own dev server' ? devServerDynamicConfig() : {},
  };
}

export function serverLine(server: ServerInfo): string {
  const config = Object.entries(server.dynamicConfig)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
  return `Temporal: ${server.kind} at ${server.address}; ${server.cliVersion.split('\n')[0]}; dynamic config: ${config || 'as configured by its operator'}`;
}

/** The commit the benchmark ran on, and whether the working tree had changes on top of it. */
export function gitInfo(): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' }).trim();
    return { commit, dirty: status.length > 0 };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

// --- statistics ------------------------------------------------------------------------------------

/** Nearest-rank percentile of an ascending list: the smallest value with at least p% at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

export interface LatencyStats {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  minMs: number;
  maxMs: number;
}

export function latencyStats(samples: readonly number[], digits = 1): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, x) => sum + x, 0) / (sorted.length || 1);
  return {
    count: sorted.length,
    meanMs: round(mean, digits),
    p50Ms: round(percentile(sorted, 50), digits),
    p95Ms: round(percentile(sorted, 95), digits),
    p99Ms: round(percentile(sorted, 99), digits),
    minMs: round(sorted[0] ?? Number.NaN, digits),
    maxMs: round(sorted.at(-1) ?? Number.NaN, digits),
  };
}

// --- output ----------------------------------------------------------------------------------------

/** Writes bench/results/<name>-<timestamp>.json and returns its path. */
export function writeResult(name: string, date: string, report: unknown): string {
  const directory = new URL('./results/', import.meta.url);
  mkdirSync(directory, { recursive: true });
  const file = new URL(`${name}-${date.replace(/[:.]/g, '-')}.json`, directory);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file.pathname;
}

/** A command line that reproduces this run, for the report. */
export function commandLine(name: string, argv: readonly string[]): string {
  return ['npm run bench --', name, ...argv].join(' ');
}
