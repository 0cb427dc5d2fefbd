// scripts/checkDeployCluster.ts: the local cluster's server configuration and docker-compose.yml
// agree, and each kind of drift between them is named.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { projectRoot } from '../config/paths.js';
import { CLUSTER_CONFIG, checkCluster } from '../scripts/checkDeployCluster.js';
import type { Service } from '../scripts/deployDocs.js';

const DYNAMIC = 'deploy/temporal/dynamicconfig/development-sql.yaml';
const read = (file: string): unknown => parse(readFileSync(join(projectRoot, file), 'utf8'));

interface ClusterConfig {
  persistence: { numHistoryShards: number; datastores: Record<string, { sql: { pluginName: string } }> };
  dynamicConfigClient: { filepath: string };
}

function problemsWith(
  edit: (config: ClusterConfig, services: Record<string, Service>) => void = () => {},
): string[] {
  const config = read(CLUSTER_CONFIG) as ClusterConfig;
  const services = (read('docker-compose.yml') as { services: Record<string, Service> }).services;
  edit(config, services);
  const problems: string[] = [];
  checkCluster(
    new Map([
      [CLUSTER_CONFIG, [config]],
      [DYNAMIC, [read(DYNAMIC)]],
    ]),
    services,
    problems,
  );
  return problems;
}

describe('the cluster deploy check', () => {
  it('finds the checked-in configuration and docker-compose.yml in agreement', () => {
    assert.deepEqual(problemsWith(), []);
  });

  it('names a server version the compose file does not run', () => {
    const problems = problemsWith((_config, services) => {
      (services.temporal as { image: string }).image = 'temporalio/auto-setup:1.30.0';
    });
    assert.match(problems.join('\n'), /auto-setup:1\.30\.0, scripts\/cluster\/ builds server v1\.29\.1/);
  });

  it('names a shard count, plugin or dynamic config that differ', () => {
    const problems = problemsWith((config) => {
      config.persistence.numHistoryShards = 8;
      const visibility = config.persistence.datastores['postgres-visibility'];
      if (visibility) visibility.sql.pluginName = 'mysql8';
      config.dynamicConfigClient.filepath = 'deploy/temporal/dynamicconfig/other.yaml';
    });
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.match(problems.join('\n'), /numHistoryShards \(NUM_HISTORY_SHARDS\) is 8 here, 4 there/);
    assert.match(problems.join('\n'), /the visibility plugin is mysql8 here, postgres12 there/);
    assert.match(problems.join('\n'), /other\.yaml is not in deploy\//);
  });
});
