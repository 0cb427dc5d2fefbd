// Which process used the two cores during a drill phase: the Temporal server, PostgreSQL (all its
// processes), the workers, the drill's own process (HTTP API and load) and the emulator, from /proc.
import { readdirSync, readFileSync } from 'node:fs';
import { processCpuMs } from '../../../bench/cpu.js';

/** CPU ms of every process whose command name is `postgres`. */
function postgresCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'postgres')
        total += processCpuMs(Number(entry)) ?? 0;
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

/** Busy CPU ms of the whole machine (all cores), from /proc/stat. */
function machineBusyMs(): number {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) * 10;
}

export type CpuSample = { atMs: number; machine: number; postgres: number } & Record<string, number>;

export function sampleCpu(pids: Record<string, number | undefined>): CpuSample {
  const sample: CpuSample = { atMs: Date.now(), machine: machineBusyMs(), postgres: postgresCpuMs() };
  for (const [label, pid] of Object.entries(pids)) {
    if (pid !== undefined) sample[label] = processCpuMs(pid) ?? 0;
  }
  return sample;
}

/** "machine 1.85 cores: temporal-server 0.62, postgres 0.31, …" between two samples. */
export function describeCpu(before: CpuSample, after: CpuSample): string {
  const wallMs = after.atMs - before.atMs;
  const cores = (label: string): string =>
    (((after[label] ?? 0) - (before[label] ?? 0)) / wallMs || 0).toFixed(2);
  const parts = Object.keys(after)
    .filter((label) => label !== 'atMs' && label !== 'machine')
    .map((label) => `${label} ${cores(label)}`);
  return `machine ${cores('machine')} cores (${parts.join(', ')})`;
}
