// `npm test`: provisions the Temporal CLI and Redis once, builds the workflow bundle once for every
// test file, then runs Node's test runner over test/**/*.test.ts. Extra arguments are test files.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { projectRoot, workflowsPath } from '../config/paths.js';
import { ensureRedisServer, ensureTemporalCli } from './provision.js';

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'support' || entry.name === 'histories' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [relative(projectRoot, path)] : [];
  });
}

const log = (line: string): void => console.log(line);
const temporal = ensureTemporalCli(log);
if (temporal) process.env.TEMPORAL_CLI_PATH = temporal;
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

const files = process.argv.slice(2).length
  ? process.argv.slice(2)
  : testFiles(join(projectRoot, 'test')).sort();
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files],
  { cwd: projectRoot, stdio: 'inherit', env: { ...process.env, WORKFLOW_BUNDLE_PATH: bundlePath } },
);
rmSync(bundlePath, { force: true });
process.exit(result.status ?? 1);
