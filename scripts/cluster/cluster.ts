// The local cluster as one unit: build the binaries, start PostgreSQL, create the databases and
// schemas, start the Temporal server. Every step is idempotent, so `start` on a running cluster only
// reports where it is.
import { ensureTemporalBinaries } from './build.js';
import { initPostgres, startPostgres, stopPostgres } from './postgres.js';
import { setupSchemas } from './schema.js';
import {
  type ClusterState,
  frontendAddress,
  loadState,
  serverRunning,
  startServer,
  stopServer,
} from './server.js';

export interface RunningCluster {
  /** The frontend, host:port. */
  address: string;
  state: ClusterState;
  /** Seconds each step took, for reports. */
  timings: Record<'build' | 'postgres' | 'schema' | 'server', number>;
}

async function timed<T>(fn: () => T | Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, (performance.now() - started) / 1000];
}

export async function startCluster(log: (line: string) => void = console.log): Promise<RunningCluster> {
  const [binaries, build] = await timed(() => ensureTemporalBinaries(log));
  const state = await loadState();
  const [, postgres] = await timed(() => {
    initPostgres(log);
    if (!startPostgres(state.ports.postgres, log))
      log(`postgres: running on 127.0.0.1:${state.ports.postgres}`);
  });
  const [, schema] = await timed(() =>
    serverRunning(state) ? undefined : setupSchemas({ ...binaries, port: state.ports.postgres }, log),
  );
  const [, server] = await timed(async () => {
    if (!(await startServer(state, log))) log(`temporal-server: running (pid ${state.serverPid})`);
  });
  return { address: frontendAddress(state), state, timings: { build, postgres, schema, server } };
}

export async function stopCluster(log: (line: string) => void = console.log): Promise<void> {
  const state = await loadState();
  if (!(await stopServer(state, log))) log('temporal-server: not running');
  if (!stopPostgres(log)) log('postgres: not running');
}
