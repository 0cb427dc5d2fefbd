// PostgreSQL 15 from Debian's binaries (/usr/lib/postgresql/15/bin) with its data directory in
// .data/cluster/postgres, listening on 127.0.0.1 only. PostgreSQL refuses to run as root, so as root
// it runs as the `postgres` system user (created when missing). Its superuser is `temporal`, as the
// postgres image in docker-compose.yml makes POSTGRES_USER the superuser. Idempotent: an existing
// data directory is kept, a running server is left running.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { postgresDataDir, postgresLogFile } from './paths.js';

export const POSTGRES_USER = 'temporal';
/** A local development password, as in docker-compose.yml; the server only listens on 127.0.0.1. */
export const POSTGRES_PASSWORD = 'temporal';
const OS_USER = 'postgres';

export function postgresBinDir(): string {
  const fromEnv = process.env.POSTGRES_BIN_DIR;
  for (const dir of [fromEnv, '/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin']) {
    if (dir && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  throw new Error(
    'PostgreSQL binaries not found (Debian: apt-get install postgresql-15); set POSTGRES_BIN_DIR to the folder with pg_ctl',
  );
}

const asRoot = (): boolean => process.getuid?.() === 0;

/** Runs a PostgreSQL program, as the postgres system user when we are root. */
function pg(program: string, args: string[]): { status: number | null; output: string } {
  const path = join(postgresBinDir(), program);
  const [command, argv] = asRoot() ? ['runuser', ['-u', OS_USER, '--', path, ...args]] : [path, args];
  const result = spawnSync(command, argv, { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Hands a file or folder to the user PostgreSQL runs as (when we are root). */
function ownedByServerUser(path: string): void {
  if (!asRoot()) return;
  if (spawnSync('id', ['-u', OS_USER]).status !== 0)
    spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OS_USER]);
  const uid = Number(spawnSync('id', ['-u', OS_USER], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', OS_USER], { encoding: 'utf8' }).stdout.trim());
  chownSync(path, uid, gid);
}

export function postgresRunning(): boolean {
  return (
    existsSync(join(postgresDataDir, 'PG_VERSION')) &&
    pg('pg_ctl', ['-D', postgresDataDir, 'status']).status === 0
  );
}

/** Creates the data directory (initdb) unless it exists. Returns whether it did. */
export function initPostgres(log: (line: string) => void): boolean {
  if (existsSync(join(postgresDataDir, 'PG_VERSION'))) return false;
  for (const dir of [postgresDataDir, dirname(postgresLogFile)]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    ownedByServerUser(dir);
  }
  const pwfile = join(dirname(postgresLogFile), 'initdb-password');
  writeFileSync(pwfile, `${POSTGRES_PASSWORD}\n`, { mode: 0o600 });
  ownedByServerUser(pwfile);
  try {
    log(`initdb: ${postgresDataDir} (superuser ${POSTGRES_USER}, scram-sha-256)`);
    const result = pg('initdb', [
      '-D',
      postgresDataDir,
      '-U',
      POSTGRES_USER,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    if (result.status !== 0) throw new Error(`initdb failed: ${result.output}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
  return true;
}

/** Starts PostgreSQL on 127.0.0.1:port unless it is running. Returns whether it started it. */
export function startPostgres(port: number, log: (line: string) => void): boolean {
  if (postgresRunning()) return false;
  const socketDir = dirname(postgresLogFile);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${socketDir} -c max_connections=200`;
  log(`pg_ctl start: 127.0.0.1:${port}, log ${postgresLogFile}`);
  const result = pg('pg_ctl', ['-D', postgresDataDir, '-l', postgresLogFile, '-o', options, '-w', 'start']);
  if (result.status !== 0) throw new Error(`pg_ctl start failed: ${result.output}`);
  return true;
}

export function stopPostgres(log: (line: string) => void): boolean {
  if (!postgresRunning()) return false;
  log('pg_ctl stop -m fast');
  const result = pg('pg_ctl', ['-D', postgresDataDir, '-m', 'fast', '-w', 'stop']);
  if (result.status !== 0) throw new Error(`pg_ctl stop failed: ${result.output}`);
  return true;
}
