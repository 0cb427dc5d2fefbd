// The Temporal dev server as the tests, the benchmarks and `npm start` run it: the provisioned CLI,
// our search attributes, and the dynamic-config values that remove the dev server's default 50 ms
// wait per workflow task (measured in shared/PLATFORM.md).
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributeKeys } from '../workflows/searchAttributes.js';
import { ensureTemporalCli } from './provision.js';

export const fastDevServerArgs: readonly string[] = [
  '--dynamic-config-value',
  'history.transferProcessorMaxPollRPS=1000',
  '--dynamic-config-value',
  'history.timerProcessorMaxPollRPS=1000',
  // Timers and activity retry delays otherwise fire up to 1 s late (the default shift): a 100 ms
  // back-off took 1 s, and a request's retries on one model 3.3 s instead of 0.8 s.
  '--dynamic-config-value',
  'history.timerProcessorMaxTimeShift="10ms"',
  '--dynamic-config-value',
  'history.visibilityProcessorMaxPollRPS=1000',
  '--dynamic-config-value',
  'matching.numTaskqueueReadPartitions=1',
  '--dynamic-config-value',
  'matching.numTaskqueueWritePartitions=1',
];

/**
 * SQLite settings for a file database (`npm start`): write-ahead log, and fsync at checkpoints rather
 * than at every commit. A killed server loses nothing committed (WAL stays consistent); a power loss
 * may lose the last commits. Measured in bench/README.md ("The embedded server's database"): the
 * file database then runs as fast as the in-memory one; with SQLite's defaults it took 1.5x as long.
 */
export const fileDatabasePragmaArgs: readonly string[] = [
  '--sqlite-pragma',
  'journal_mode=wal',
  '--sqlite-pragma',
  'synchronous=normal',
];

export interface DevServerOptions {
  dbFilename?: string;
  port?: number;
  ui?: boolean;
  uiPort?: number;
}

/** A dev server owned by this process, with our search attributes registered. */
export async function startDevServer(options: DevServerOptions = {}): Promise<TestWorkflowEnvironment> {
  const path = ensureTemporalCli((line) => console.error(line));
  return TestWorkflowEnvironment.createLocal({
    server: {
      ...(path ? { executable: { type: 'existing-path', path } } : {}),
      searchAttributes: [...searchAttributeKeys],
      extraArgs: [...fastDevServerArgs],
      log: { format: 'pretty', level: 'warn' },
      ...options,
    },
  });
}
