// The local Temporal cluster on PostgreSQL (docs/cluster.md):
//   node --import tsx scripts/cluster/main.ts build     build temporal-server + temporal-sql-tool (cached)
//   node --import tsx scripts/cluster/main.ts start     build, PostgreSQL, schemas, server, then `setup`
//   node --import tsx scripts/cluster/main.ts setup     namespace + search attributes (cli/setup.ts)
//   node --import tsx scripts/cluster/main.ts status    where it runs
//   node --import tsx scripts/cluster/main.ts stop      the server, then PostgreSQL
//   node --import tsx scripts/cluster/main.ts smoke     start, setup twice, one request (CI; test/drills/cluster)
//   node --import tsx scripts/cluster/main.ts drill     the multi-worker fault drill (test/drills/cluster)
// smoke and drill stop the cluster at the end when they started it (CLUSTER_KEEP=1 keeps it).
import { Connection } from '@temporalio/client';
import { setupCluster, setupReportLines } from '../../cli/setup.js';
import { ensureTemporalBinaries } from './build.js';
import { startCluster, stopCluster } from './cluster.js';
import { postgresRunning } from './postgres.js';
import { frontendAddress, loadState, serverRunning } from './server.js';

const NAMESPACE = process.env.TEMPORAL_NAMESPACE ?? 'default';
const RETENTION_DAYS = Number(process.env.RETENTION_DAYS ?? 3);

async function setup(address: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const report = await setupCluster(connection, { namespace: NAMESPACE, retentionDays: RETENTION_DAYS });
    for (const line of setupReportLines(report)) console.log(line);
  } finally {
    await connection.close();
  }
}

const command = process.argv[2] ?? 'start';
switch (command) {
  case 'build': {
    const binaries = ensureTemporalBinaries(console.log);
    console.log(`temporal-server: ${binaries.server}\ntemporal-sql-tool: ${binaries.sqlTool}`);
    break;
  }
  case 'start': {
    const cluster = await startCluster();
    await setup(cluster.address);
    const t = cluster.timings;
    console.log(
      `cluster: TEMPORAL_ADDRESS=${cluster.address} (build ${t.build.toFixed(1)} s, postgres ${t.postgres.toFixed(1)} s, schema ${t.schema.toFixed(1)} s, server ${t.server.toFixed(1)} s)`,
    );
    break;
  }
  case 'setup':
    await setup(frontendAddress(await loadState()));
    break;
  case 'status': {
    const state = await loadState();
    console.log(
      `postgres: ${postgresRunning() ? `running on 127.0.0.1:${state.ports.postgres}` : 'stopped'}`,
    );
    console.log(
      `temporal-server: ${serverRunning(state) ? `running (pid ${state.serverPid}), TEMPORAL_ADDRESS=${frontendAddress(state)}` : 'stopped'}`,
    );
    break;
  }
  case 'stop':
    await stopCluster();
    break;
  case 'smoke': {
    const { runClusterSmoke } = await import('../../test/drills/cluster/smoke.js');
    await runClusterSmoke();
    process.exit(0);
    break;
  }
  case 'drill': {
    const { runClusterDrill } = await import('../../test/drills/cluster/drill.js');
    const ok = await runClusterDrill();
    process.exit(ok ? 0 : 1);
    break;
  }
  default:
    console.error(`unknown command ${command}: build | start | setup | status | stop | smoke | drill`);
    process.exit(2);
}
