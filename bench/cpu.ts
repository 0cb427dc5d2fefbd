// CPU time per process and per thread, from Linux /proc: what one request costs the worker's process
// and the Temporal server, which bounds throughput on a machine with few cores.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports CPU time in clock ticks of 10 ms (CLK_TCK = 100 on every mainstream kernel). */
const MS_PER_TICK = 10;

export interface ThreadCpu {
  tid: number;
  name: string;
  cpuMs: number;
}

/** utime + stime of a /proc stat line, in ms. The command name may hold spaces: parse after ')'. */
function statCpuMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state(0) ppid(1) … utime(11) stime(12).
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** CPU time of every thread of a process (empty when it is gone or /proc is missing). */
export function threadCpu(pid: number): ThreadCpu[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tids.flatMap((tid) => {
    const stat = read(`/proc/${pid}/task/${tid}/stat`);
    const name = read(`/proc/${pid}/task/${tid}/comm`)?.trim();
    return stat && name ? [{ tid: Number(tid), name, cpuMs: statCpuMs(stat) }] : [];
  });
}

/** Total CPU time of a process (all its threads, not its children), in ms. */
export function processCpuMs(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  return stat ? statCpuMs(stat) : undefined;
}

/** Child processes of `parent` whose command name is `name` (e.g. the dev server's `temporal`). */
export function childPids(parent: number, name: string): number[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  return pids.flatMap((pid) => {
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) return [];
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return ppid === parent && comm === name ? [Number(pid)] : [];
  });
}

export interface CpuSnapshot {
  atMs: number;
  processes: Record<string, { pid: number; cpuMs: number; threads: ThreadCpu[] }>;
}

/** CPU of the named processes now. */
export function cpuSnapshot(processes: Record<string, number | undefined>): CpuSnapshot {
  const snapshot: CpuSnapshot = { atMs: Date.now(), processes: {} };
  for (const [label, pid] of Object.entries(processes)) {
    if (pid === undefined) continue;
    const cpuMs = processCpuMs(pid);
    if (cpuMs !== undefined) snapshot.processes[label] = { pid, cpuMs, threads: threadCpu(pid) };
  }
  return snapshot;
}

export interface CpuUse {
  label: string;
  pid: number;
  cpuMs: number;
  /** Share of one core over the interval (1 = one core busy all the time). */
  cores: number;
  cpuMsPerRequest: number;
  /** The busiest threads: name, id, CPU ms (the main JS thread has id = pid). */
  topThreads: { name: string; tid: number; main: boolean; cpuMs: number }[];
}

/** CPU used between two snapshots, per process and per request. */
export function cpuUse(before: CpuSnapshot, after: CpuSnapshot, requests: number): CpuUse[] {
  const wallMs = after.atMs - before.atMs;
  return Object.entries(after.processes).map(([label, now]) => {
    const then = before.processes[label];
    const cpuMs = now.cpuMs - (then?.cpuMs ?? 0);
    const earlier = new Map((then?.threads ?? []).map((t) => [t.tid, t.cpuMs]));
    const topThreads = now.threads
      .map((t) => ({
        name: t.name,
        tid: t.tid,
        main: t.tid === now.pid,
        cpuMs: t.cpuMs - (earlier.get(t.tid) ?? 0),
      }))
      .filter((t) => t.cpuMs > 0)
      .sort((a, b) => b.cpuMs - a.cpuMs)
      .slice(0, 6);
    return {
      label,
      pid: now.pid,
      cpuMs,
      cores: wallMs > 0 ? Math.round((cpuMs / wallMs) * 100) / 100 : 0,
      cpuMsPerRequest: requests > 0 ? Math.round((cpuMs / requests) * 10) / 10 : 0,
      topThreads,
    };
  });
}

export function printCpuUse(use: CpuUse[], requests: number): void {
  if (!use.length) return;
  console.log(`\nCPU over the measured run (${requests} requests), from /proc:`);
  console.table(
    use.map((u) => ({
      process: u.label,
      'cpu s': Math.round(u.cpuMs / 100) / 10,
      cores: u.cores,
      'cpu ms / request': u.cpuMsPerRequest,
      'busiest threads (ms)': u.topThreads
        .slice(0, 4)
        .map((t) => `${t.main ? 'main' : t.name}:${t.cpuMs}`)
        .join(' '),
    })),
  );
}
