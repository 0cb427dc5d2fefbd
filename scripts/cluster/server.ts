// The Temporal server process of the local cluster: temporal-server started from
// deploy/temporal/config/development-postgres.yaml with its ports filled in (config.ts),
// in the background (it outlives the command that started it), output to
// .data/cluster/temporal-server.log. Its ports and PID are kept in .data/cluster/cluster.json, so a
// restart listens where the clients already point.
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { projectRoot } from '../../config/paths.js';
import { renderServerConfig } from './config.js';
import { configEnv, serverBinary, stateFile, temporalLogFile } from './paths.js';

const PORT_NAMES = [
  'postgres',
  'frontend',
  'frontendHttp',
  'frontendMembership',
  'history',
  'historyMembership',
  'matching',
  'matchingMembership',
  'worker',
  'workerMembership',
  'metrics',
] as const;
export type PortName = (typeof PORT_NAMES)[number];

export interface ClusterState {
  ports: Record<PortName, number>;
  serverPid?: number;
}

/** Whether nothing listens on 127.0.0.1:port now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * A free port below 32768: the server records membership ports in a PostgreSQL smallint column
 * (cluster_membership.rpc_port), so a port from the kernel's ephemeral range (32768-60999, what
 * scripts/freePort.ts gets) stops it with `value "42721" is out of range for type smallint`.
 */
async function freeLowPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = randomInt(20_000, 32_768);
    if (!taken.has(port) && (await portFree(port))) return port;
  }
}

/** The cluster's ports, chosen once (free ports on 127.0.0.1 below 32768) and kept. */
export async function loadState(): Promise<ClusterState> {
  if (existsSync(stateFile)) return JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState;
  const ports = {} as Record<PortName, number>;
  const taken = new Set<number>();
  for (const name of PORT_NAMES) {
    const port = await freeLowPort(taken);
    taken.add(port);
    ports[name] = port;
  }
  const state: ClusterState = { ports };
  saveState(state);
  return state;
}

export function saveState(state: ClusterState): void {
  mkdirSync(dirname(stateFile), { recursive: true });
  writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

export const frontendAddress = (state: ClusterState): string => `127.0.0.1:${state.ports.frontend}`;

function alive(pid: number | undefined): pid is number {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A recycled PID is not our server.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('temporal-server');
  } catch {
    return false;
  }
}

export const serverRunning = (state: ClusterState): boolean => alive(state.serverPid);

/** Resolves once the frontend answers GetSystemInfo; throws if the process exits first or after timeoutMs. */
export async function waitForFrontend(
  address: string,
  pid: number | undefined,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (pid !== undefined && !alive(pid))
      throw new Error(`temporal-server exited during start-up; see ${temporalLogFile}:\n${logTail()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  throw new Error(`the Temporal frontend did not answer at ${address} within ${timeoutMs / 1000} s: ${last}`);
}

function logTail(lines = 30): string {
  if (!existsSync(temporalLogFile)) return '';
  return readFileSync(temporalLogFile, 'utf8')
    .split('\n')
    .slice(-lines)
    .map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line))
    .join('\n');
}

/** Starts the server unless it runs; returns whether it started it. */
export async function startServer(state: ClusterState, log: (line: string) => void): Promise<boolean> {
  if (serverRunning(state)) return false;
  mkdirSync(dirname(temporalLogFile), { recursive: true });
  const out = openSync(temporalLogFile, 'a');
  const config = renderServerConfig(state.ports);
  const args = ['--root', '/', '--config', config, '--env', configEnv, '--allow-no-auth', 'start'];
  const child = spawn(serverBinary, args, {
    cwd: projectRoot,
    stdio: ['ignore', out, out],
    detached: true,
  });
  child.unref();
  state.serverPid = child.pid;
  saveState(state);
  log(`temporal-server ${args.join(' ')} (pid ${child.pid}, log ${temporalLogFile})`);
  const started = Date.now();
  await waitForFrontend(frontendAddress(state), child.pid);
  log(
    `frontend answering at ${frontendAddress(state)} after ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return true;
}

/** SIGTERM, then SIGKILL after graceMs; returns whether a server was running. */
export async function stopServer(
  state: ClusterState,
  log: (line: string) => void,
  graceMs = 20_000,
): Promise<boolean> {
  const pid = state.serverPid;
  if (!alive(pid)) return false;
  log(`stopping temporal-server (pid ${pid})`);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
  state.serverPid = undefined;
  saveState(state);
  return true;
}
