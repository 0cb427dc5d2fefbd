// Worker capacity from the environment (WORKER_MAX_*): defaults, overrides, and a clear refusal of
// values that are not positive integers, naming the variable.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConfigError } from '../common/errors.js';
import { defaultTuning, workerTuning } from '../workers/config.js';

it('uses the defaults when nothing is set, and the sticky cache stays the SDK default', () => {
  assert.deepEqual(workerTuning({}), defaultTuning);
  assert.equal(workerTuning({}).maxCachedWorkflows, undefined);
});

it('takes each WORKER_MAX_* variable', () => {
  const tuning = workerTuning({
    WORKER_MAX_CONCURRENT_ACTIVITIES: '2000',
    WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '50',
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '64',
    WORKER_MAX_CACHED_WORKFLOWS: '400',
    WORKER_HEARTBEATS_PER_SECOND: '200',
  });
  assert.deepEqual(tuning, {
    maxConcurrentActivityTaskExecutions: 2000,
    maxConcurrentLocalActivityExecutions: 50,
    maxConcurrentWorkflowTaskExecutions: 64,
    maxCachedWorkflows: 400,
    heartbeatsPerSecond: 200,
  });
});

it('refuses a value that is not a positive integer, naming the variable and what to do', () => {
  for (const bad of ['abc', '0', '-5', '1.5']) {
    assert.throws(
      () => workerTuning({ WORKER_MAX_CACHED_WORKFLOWS: bad }),
      (error: Error) =>
        error instanceof ConfigError &&
        error.message.includes('WORKER_MAX_CACHED_WORKFLOWS') &&
        error.message.includes('unset it for the default'),
    );
  }
});
