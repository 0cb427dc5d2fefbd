// Builds temporal-server and temporal-sql-tool at the pinned version with `go install` (the Go module
// proxy is the only download), into .tools/temporal-server-<version>/. Idempotent: binaries that
// report the pinned version are kept. The first build takes minutes; with the Go module and build
// caches under ~/go and ~/.cache/go-build it takes seconds.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import {
  serverBinary,
  sqlToolBinary,
  TEMPORAL_SERVER_MODULE,
  TEMPORAL_SERVER_VERSION,
  toolsDir,
} from './paths.js';

export interface TemporalBinaries {
  server: string;
  sqlTool: string;
  /** schema/postgresql/v12 of the server module, in the Go module cache. */
  postgresSchemaDir: string;
  /** Whether this call built them. */
  built: boolean;
}

function goBinary(): string {
  for (const candidate of [process.env.GO, '/usr/local/go/bin/go']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  return 'go';
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`,
    );
  return result.stdout;
}

function reportsPinnedVersion(binary: string): boolean {
  if (!existsSync(binary)) return false;
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes(TEMPORAL_SERVER_VERSION);
}

/** The server module's directory in the Go module cache, downloading it when it is not there. */
function moduleDir(go: string): string {
  const spec = `${TEMPORAL_SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION}`;
  const cache = run(go, ['env', 'GOMODCACHE']).trim();
  const dir = join(cache, `${TEMPORAL_SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION}`);
  if (!existsSync(dir)) run(go, ['mod', 'download', spec], { ...process.env, GOFLAGS: '-mod=mod' });
  return dir;
}

export function ensureTemporalBinaries(log: (line: string) => void = () => {}): TemporalBinaries {
  const go = goBinary();
  let built = false;
  if (!reportsPinnedVersion(serverBinary) || !existsSync(sqlToolBinary)) {
    mkdirSync(toolsDir, { recursive: true });
    const spec = (path: string): string => `${TEMPORAL_SERVER_MODULE}/${path}@v${TEMPORAL_SERVER_VERSION}`;
    log(`building temporal-server and temporal-sql-tool v${TEMPORAL_SERVER_VERSION} with go install`);
    const started = Date.now();
    run(go, ['install', spec('cmd/server'), spec('cmd/tools/sql')], { ...process.env, GOBIN: toolsDir });
    // go install names a binary after its package directory.
    renameSync(join(toolsDir, 'server'), serverBinary);
    renameSync(join(toolsDir, 'sql'), sqlToolBinary);
    log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s into ${toolsDir}`);
    built = true;
  }
  return {
    server: serverBinary,
    sqlTool: sqlToolBinary,
    postgresSchemaDir: join(moduleDir(go), 'schema', 'postgresql', 'v12'),
    built,
  };
}
