// Runs test files the way `npm test` and `npm run drills` both do: provisions the Temporal CLI, the
// time-skipping test server and Redis once, builds the workflow bundle once for every file, then runs Node's test runner over them.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { projectRoot, workflowsPath } from '../config/paths.js';
import { startDevServer } from './devServer.js';
import { ensureRedisServer, ensureTemporalCli, ensureTimeSkippingServer } from './provision.js';

/** Folders under test/ that hold no test files of their own. */
const NOT_TESTS = new Set(['support', 'histories', 'fixtures']);

/** The `*.test.ts` files under `dir` (relative to the project), sorted, skipping `skip` folders. */
export function testFiles(dir: string, skip: ReadonlySet<string> = new Set()): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory())
        return NOT_TESTS.has(entry.name) || skip.has(entry.name) ? [] : testFiles(path, skip);
      return entry.name.endsWith('.test.ts') ? [relative(projectRoot, path)] : [];
    })
    .sort();
}

export interface RunOptions {
  /** Test processes at once. */
  concurrency: number;
  /**
   * One dev server for every file (TEST_TEMPORAL_ADDRESS; test/support/harness.ts connects to it)
   * instead of one per file: saves a server start-up and its idle CPU per file. Files keep apart by
   * their own task queues and random request ids.
   */
  sharedServer: boolean;
}

/** Runs `files` as `options` say; resolves to the test runner's exit status. */
export async function runTestFiles(files: readonly string[], options: RunOptions): Promise<number> {
  const log = (line: string): void => console.log(line);
  const temporal = ensureTemporalCli(log);
  if (temporal) process.env.TEMPORAL_CLI_PATH = temporal;
  const testServer = ensureTimeSkippingServer(log);
  if (testServer) process.env.TEMPORAL_TEST_SERVER_PATH = testServer;
  ensureRedisServer(log);

  const dataDir = join(projectRoot, '.data');
  mkdirSync(dataDir, { recursive: true });
  // One bundle per run: concurrent runs must not swap the code under each other's workers.
  const bundlePath = join(dataDir, `workflow-bundle-${process.pid}.js`);
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: log, error: log },
  });
  writeFileSync(bundlePath, code);
  const shared =
    options.sharedServer && process.env.TEST_SHARED_SERVER !== '0' ? await startDevServer() : undefined;
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', `--test-concurrency=${options.concurrency}`, ...files],
      {
        cwd: projectRoot,
        stdio: 'inherit',
        env: {
          ...process.env,
          WORKFLOW_BUNDLE_PATH: bundlePath,
          ...(shared ? { TEST_TEMPORAL_ADDRESS: shared.address } : {}),
        },
      },
    );
    const [status] = (await once(child, 'exit')) as [number | null];
    return status ?? 1;
  } finally {
    rmSync(bundlePath, { force: true });
    await shared?.teardown();
  }
}
