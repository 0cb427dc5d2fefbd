// Runs test files the way `npm test` and `npm run drills` both do: provisions the Temporal CLI, the
// time-skipping test server and Redis once, builds the workflow bundle once for every file, then runs Node's test runner over them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { projectRoot, workflowsPath } from '../config/paths.js';
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

/** Runs `files` with `concurrency` test processes at once; resolves to the runner's exit status. */
export async function runTestFiles(files: readonly string[], concurrency: number): Promise<number> {
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
  try {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files],
      { cwd: projectRoot, stdio: 'inherit', env: { ...process.env, WORKFLOW_BUNDLE_PATH: bundlePath } },
    );
    return result.status ?? 1;
  } finally {
    rmSync(bundlePath, { force: true });
  }
}
