// What the local cluster runs (scripts/cluster/, deploy/temporal/config/development-postgres.yaml)
// must be what docker-compose.yml deploys, so that the drill proves the deployed setup: the same
// server version (auto-setup's and admin-tools' image tags), the same persistence plugin for both
// stores, the same number of history shards, the same database user and password, the same
// visibility database and the same dynamic config file.
import { basename } from 'node:path';
import { TEMPORAL_SERVER_VERSION } from './cluster/paths.js';
import { asObject, asString, type Doc, environment, type Service } from './deployDocs.js';

export const CLUSTER_CONFIG = 'deploy/temporal/config/development-postgres.yaml';
/** temporalio/auto-setup's defaults for the variables it reads, when the compose file leaves them out. */
const AUTO_SETUP_DEFAULTS: Record<string, string> = {
  NUM_HISTORY_SHARDS: '4',
  DBNAME: 'temporal',
  VISIBILITY_DBNAME: 'temporal_visibility',
};

export function checkCluster(
  docs: Map<string, unknown[]>,
  services: Record<string, Service>,
  problems: string[],
): void {
  const config = asObject(docs.get(CLUSTER_CONFIG)?.[0]);
  const where = `${CLUSTER_CONFIG} vs docker-compose.yml`;
  if (Object.keys(config).length === 0) {
    problems.push(`${CLUSTER_CONFIG}: missing or empty (scripts/cluster/ starts the server from it)`);
    return;
  }
  const entry = Object.entries(services).find(([, s]) =>
    asString(s.image).startsWith('temporalio/auto-setup:'),
  );
  if (!entry) {
    problems.push(
      'docker-compose.yml: no temporalio/auto-setup service; the local cluster has nothing to agree with',
    );
    return;
  }
  const [name, temporal] = entry;
  const tag = asString(temporal.image).split(':')[1] ?? '';
  if (tag !== TEMPORAL_SERVER_VERSION)
    problems.push(
      `docker-compose.yml: ${name} runs auto-setup:${tag}, scripts/cluster/ builds server v${TEMPORAL_SERVER_VERSION}`,
    );
  for (const [other, service] of Object.entries(services)) {
    const image = asString(service.image);
    if (
      image.startsWith('temporalio/admin-tools:') &&
      !image.split(':')[1]?.startsWith(`${TEMPORAL_SERVER_VERSION}-`)
    )
      problems.push(
        `docker-compose.yml: ${other} runs ${image}, not the admin tools of server ${TEMPORAL_SERVER_VERSION}`,
      );
  }

  const env = { ...AUTO_SETUP_DEFAULTS, ...environment(temporal) };
  const persistence = asObject(config.persistence);
  const stores = asObject(persistence.datastores);
  const sql = (store: unknown): Doc => asObject(asObject(stores[asString(store)]).sql);
  const main = sql(persistence.defaultStore);
  const visibility = sql(persistence.visibilityStore);
  const expect = (what: string, ours: unknown, theirs: unknown): void => {
    if (String(ours) !== String(theirs)) problems.push(`${where}: ${what} is ${ours} here, ${theirs} there`);
  };
  expect('the persistence plugin', main.pluginName, env.DB);
  expect('the visibility plugin', visibility.pluginName, env.DB);
  expect('numHistoryShards (NUM_HISTORY_SHARDS)', persistence.numHistoryShards, env.NUM_HISTORY_SHARDS);
  expect('the database', main.databaseName, env.DBNAME);
  expect('the visibility database', visibility.databaseName, env.VISIBILITY_DBNAME);
  expect('the database user', main.user, env.POSTGRES_USER);
  expect('the database password', main.password, env.POSTGRES_PWD);
  const dynamicConfig = asString(asObject(config.dynamicConfigClient).filepath);
  expect(
    'the dynamic config file',
    basename(dynamicConfig),
    basename(asString(env.DYNAMIC_CONFIG_FILE_PATH)),
  );
  if (!docs.has(dynamicConfig))
    problems.push(`${CLUSTER_CONFIG}: dynamic config ${dynamicConfig} is not in deploy/`);
}
