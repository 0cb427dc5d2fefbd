// The server's configuration for the local cluster: deploy/temporal/config/development-postgres.yaml
// (what docker-compose.yml and deploy/ describe) with this machine's ports filled in, written to
// .data/cluster/config/. Only addresses change; shards, stores, plugins and dynamic config are the
// checked-in file's.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { projectRoot } from '../../config/paths.js';
import { clusterDir, configEnv } from './paths.js';

/** deploy/temporal/config/development-postgres.yaml */
export const checkedInConfig = join(projectRoot, 'deploy', 'temporal', 'config', `${configEnv}.yaml`);
/** Where the filled-in copy goes: the server reads `<root>/<config>/<env>.yaml`. */
export const renderedConfigDir = join(clusterDir, 'config');

export interface ServerPorts {
  postgres: number;
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  metrics: number;
}

type Rpc = { grpcPort: number; membershipPort: number; httpPort?: number };
interface ServerConfig {
  persistence: {
    numHistoryShards: number;
    datastores: Record<string, { sql: { connectAddr: string; pluginName: string } }>;
  };
  global: { metrics: { prometheus: { listenAddress: string } } };
  services: Record<'frontend' | 'history' | 'matching' | 'worker', { rpc: Rpc }>;
  clusterMetadata: { clusterInformation: Record<string, { rpcAddress: string }> };
  dynamicConfigClient: { filepath: string };
}

export function readServerConfig(path = checkedInConfig): ServerConfig {
  return parse(readFileSync(path, 'utf8')) as ServerConfig;
}

/** Writes the filled-in copy; returns the folder to pass as the server's --config. */
export function renderServerConfig(ports: ServerPorts): string {
  const config = readServerConfig();
  for (const store of Object.values(config.persistence.datastores))
    store.sql.connectAddr = `127.0.0.1:${ports.postgres}`;
  config.global.metrics.prometheus.listenAddress = `127.0.0.1:${ports.metrics}`;
  const { services } = config;
  services.frontend.rpc = {
    ...services.frontend.rpc,
    grpcPort: ports.frontend,
    membershipPort: ports.frontendMembership,
    httpPort: ports.frontendHttp,
  };
  services.history.rpc = {
    ...services.history.rpc,
    grpcPort: ports.history,
    membershipPort: ports.historyMembership,
  };
  services.matching.rpc = {
    ...services.matching.rpc,
    grpcPort: ports.matching,
    membershipPort: ports.matchingMembership,
  };
  services.worker.rpc = {
    ...services.worker.rpc,
    grpcPort: ports.worker,
    membershipPort: ports.workerMembership,
  };
  for (const cluster of Object.values(config.clusterMetadata.clusterInformation))
    cluster.rpcAddress = `127.0.0.1:${ports.frontend}`;
  // Relative to the repository, where the checked-in file is run from.
  config.dynamicConfigClient.filepath = join(projectRoot, config.dynamicConfigClient.filepath);
  mkdirSync(renderedConfigDir, { recursive: true });
  writeFileSync(
    join(renderedConfigDir, `${configEnv}.yaml`),
    `# Written by scripts/cluster/config.ts from deploy/temporal/config/${configEnv}.yaml; do not edit.\n${stringify(config)}`,
  );
  return renderedConfigDir;
}
