// Where the local cluster lives: binaries under .tools/, databases, rendered state and logs under
// .data/cluster/. One pinned server version, the one docker-compose.yml and deploy/ run.
import { join } from 'node:path';
import { projectRoot } from '../../config/paths.js';

/** temporalio/auto-setup:1.29.1 in docker-compose.yml runs this server version. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';

export const toolsDir = join(projectRoot, '.tools', `temporal-server-${TEMPORAL_SERVER_VERSION}`);
export const clusterDir = join(projectRoot, '.data', 'cluster');
export const postgresDataDir = join(clusterDir, 'postgres');
export const postgresLogFile = join(clusterDir, 'postgres-log', 'postgres.log');
export const temporalLogFile = join(clusterDir, 'temporal-server.log');
export const stateFile = join(clusterDir, 'cluster.json');

/** The server's configuration is deploy/temporal/config/<configEnv>.yaml. */
export const configEnv = 'development-postgres';

export const serverBinary = join(toolsDir, 'temporal-server');
export const sqlToolBinary = join(toolsDir, 'temporal-sql-tool');
