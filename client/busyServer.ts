// Waiting for a result is a long-poll on the server, and a server holds only so many at once per
// namespace (the frontend's `frontend.namespaceCount`, 1,200 by default): past that it refuses more
// with RESOURCE_EXHAUSTED ("namespace concurrent poller limit exceeded"). The request runs on
// regardless, so the waiter backs off and asks again instead of failing a request that will succeed.
import { isGrpcServiceError, ServiceError } from '@temporalio/client';
import { backoffMs, type ProviderRetry } from '../common/plan.js';

const RESOURCE_EXHAUSTED = 8;

/** The back-off between waits (as a provider call's retries back off), and when to stop asking. */
export interface BusyRetry
  extends Pick<ProviderRetry, 'initialIntervalMs' | 'backoffCoefficient' | 'maxIntervalMs'> {
  /** Give up, and throw the server's refusal, after refusals for this long in a row. */
  giveUpAfterMs: number;
}

export const DEFAULT_BUSY_RETRY: BusyRetry = {
  initialIntervalMs: 100,
  backoffCoefficient: 2,
  maxIntervalMs: 5000,
  giveUpAfterMs: 600_000,
};

/** Whether the server refused the wait because it holds too many long-polls (or is otherwise out of room). */
export function serverIsBusy(error: unknown): boolean {
  const grpc = error instanceof ServiceError ? error.cause : error;
  return isGrpcServiceError(grpc) && grpc.code === RESOURCE_EXHAUSTED;
}

/** Runs `wait`, and again after a back-off each time the server is too busy to take it. */
export async function waitThroughBusyServer<T>(
  wait: () => Promise<T>,
  retry: BusyRetry = DEFAULT_BUSY_RETRY,
  clock: { now(): number; sleep(ms: number): Promise<void>; random(): number } = {
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
  },
): Promise<T> {
  let refusedSince: number | undefined;
  for (let tryNumber = 1; ; tryNumber++) {
    try {
      return await wait();
    } catch (error) {
      if (!serverIsBusy(error)) throw error;
      refusedSince ??= clock.now();
      if (clock.now() - refusedSince >= retry.giveUpAfterMs) throw error;
      await clock.sleep(backoffMs(retry, tryNumber, clock.random));
    }
  }
}
