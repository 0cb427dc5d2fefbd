// Waiting for a result through a server that holds too many long-polls: its RESOURCE_EXHAUSTED
// refusal is waited out with a growing back-off (the request runs on meanwhile), any other error is
// thrown at once, and a refusal that lasts past the limit is thrown. The refusal is the error the
// client raises (a ServiceError around grpc-js's status error, as bench/README.md records); the
// clock is our own, so no test waits.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ServiceError } from '@temporalio/client';
import { DEFAULT_BUSY_RETRY, serverIsBusy, waitThroughBusyServer } from '../client/busyServer.js';

/** What the client throws when the server refuses a long-poll for lack of room. */
function refusal(code = 8, details = 'namespace concurrent poller limit exceeded'): ServiceError {
  const grpc = Object.assign(new Error(`${code} RESOURCE_EXHAUSTED: ${details}`), {
    code,
    details,
    metadata: {},
  });
  return new ServiceError('Failed to get Workflow execution history', { cause: grpc });
}

function manualClock() {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    clock: {
      now: () => now,
      sleep: async (ms: number) => {
        slept.push(ms);
        now += ms;
      },
      random: () => 1,
    },
  };
}

it('tells a busy server from other failures', () => {
  assert.equal(serverIsBusy(refusal()), true);
  assert.equal(serverIsBusy(refusal(14, 'unavailable')), false);
  assert.equal(serverIsBusy(new Error('boom')), false);
});

it('waits out refusals with a doubling back-off, then returns the result', async () => {
  const { clock, slept } = manualClock();
  let calls = 0;
  const result = await waitThroughBusyServer(
    async () => {
      calls++;
      if (calls <= 7) throw refusal();
      return 'answer';
    },
    DEFAULT_BUSY_RETRY,
    clock,
  );
  assert.equal(result, 'answer');
  assert.deepEqual(slept, [100, 200, 400, 800, 1600, 3200, 5000]);
});

it('throws any other error at once', async () => {
  const { clock, slept } = manualClock();
  await assert.rejects(
    waitThroughBusyServer(
      async () => {
        throw new Error('not a refusal');
      },
      DEFAULT_BUSY_RETRY,
      clock,
    ),
    /not a refusal/,
  );
  assert.deepEqual(slept, []);
});

it('gives up after refusals for longer than the limit, with the refusal', async () => {
  const { clock } = manualClock();
  await assert.rejects(
    waitThroughBusyServer(
      async () => {
        throw refusal();
      },
      { initialIntervalMs: 100, backoffCoefficient: 2, maxIntervalMs: 1000, giveUpAfterMs: 10_000 },
      clock,
    ),
    (error: unknown) => serverIsBusy(error),
  );
});
