// Creates the `temporal` and `temporal_visibility` databases and brings their schemas to the server's
// version with temporal-sql-tool, as temporalio/auto-setup does: create-database, setup-schema -v 0.0,
// update-schema -d <schema dir>/versioned. Every step is idempotent: an existing database is kept,
// setup-schema skips a versioned schema, update-schema applies only the missing versions.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { POSTGRES_PASSWORD, POSTGRES_USER, postgresBinDir } from './postgres.js';

export interface SchemaTarget {
  database: string;
  /** Folder under schema/postgresql/v12 of the server module. */
  schema: 'temporal' | 'visibility';
}

export const schemaTargets: readonly SchemaTarget[] = [
  { database: 'temporal', schema: 'temporal' },
  { database: 'temporal_visibility', schema: 'visibility' },
];

/** create-database exits 0 for a database that exists, so ask PostgreSQL first, to say what happened. */
function databaseExists(port: number, database: string): boolean {
  const result = spawnSync(
    join(postgresBinDir(), 'psql'),
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      POSTGRES_USER,
      '-d',
      'postgres',
      '-Atc',
      `SELECT 1 FROM pg_database WHERE datname = '${database}'`,
    ],
    { encoding: 'utf8', env: { ...process.env, PGPASSWORD: POSTGRES_PASSWORD } },
  );
  if (result.status !== 0) throw new Error(`psql could not list the databases: ${result.stderr}`);
  return result.stdout.trim() === '1';
}

export function setupSchemas(
  options: { sqlTool: string; postgresSchemaDir: string; port: number },
  log: (line: string) => void,
): void {
  for (const target of schemaTargets) {
    const tool = (args: string[]): { ok: boolean; output: string } => {
      const result = spawnSync(
        options.sqlTool,
        [
          '--plugin',
          'postgres12',
          '--ep',
          '127.0.0.1',
          '-p',
          String(options.port),
          '-u',
          POSTGRES_USER,
          '--db',
          target.database,
          ...args,
        ],
        // The password through the environment (SQL_PASSWORD), not the command line.
        { encoding: 'utf8', env: { ...process.env, SQL_PASSWORD: POSTGRES_PASSWORD } },
      );
      return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
    };
    if (databaseExists(options.port, target.database)) log(`database ${target.database}: exists`);
    else {
      const created = tool(['create-database']);
      if (!created.ok)
        throw new Error(`temporal-sql-tool create-database ${target.database} failed: ${created.output}`);
      log(`database ${target.database}: created`);
    }
    for (const args of [
      ['setup-schema', '-v', '0.0'],
      ['update-schema', '-d', join(options.postgresSchemaDir, target.schema, 'versioned')],
    ]) {
      const step = tool(args);
      if (!step.ok) throw new Error(`temporal-sql-tool ${args[0]} ${target.database} failed: ${step.output}`);
    }
    log(`database ${target.database}: schema ${target.schema} at the server's version`);
  }
}
