// Readiness of a worker process: it may take work only while Temporal answers, its workers poll
// (state RUNNING) and, when it uses Redis, Redis answers PING. Each check is bounded by a timeout so
// a hung dependency makes the probe fail instead of hang.
import type { NativeConnection, Worker } from '@temporalio/worker';

export interface ReadinessCheck {
  name: 'temporal' | 'worker' | 'redis';
  ok: boolean;
  detail: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: ReadinessCheck[];
}

/** The parts of an ioredis client the check uses. */
export interface PingableRedis {
  readonly status: string;
  ping(): Promise<string>;
}

export interface ReadinessSources {
  connection: Pick<NativeConnection, 'workflowService' | 'withDeadline'>;
  /** The process's workers (the main one and any per-provider activity workers). */
  workers: Pick<Worker, 'getState'>[];
  redis?: PingableRedis;
  timeoutMs?: number;
}

export function workerReadiness(sources: ReadinessSources): () => Promise<ReadinessReport> {
  const timeoutMs = sources.timeoutMs ?? 2000;
  return async () => {
    const checks = await Promise.all([
      checkTemporal(sources.connection, timeoutMs),
      checkWorkers(sources.workers),
      ...(sources.redis ? [checkRedis(sources.redis, timeoutMs)] : []),
    ]);
    return { ready: checks.every((c) => c.ok), checks };
  };
}

async function checkTemporal(
  connection: ReadinessSources['connection'],
  timeoutMs: number,
): Promise<ReadinessCheck> {
  try {
    await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}));
    return { name: 'temporal', ok: true, detail: 'server answered' };
  } catch (error) {
    return { name: 'temporal', ok: false, detail: `server did not answer: ${messageOf(error)}` };
  }
}

function checkWorkers(workers: ReadinessSources['workers']): ReadinessCheck {
  const states = workers.map((w) => w.getState());
  const ok = states.length > 0 && states.every((s) => s === 'RUNNING');
  return { name: 'worker', ok, detail: states.length ? `state ${states.join(', ')}` : 'no worker' };
}

async function checkRedis(redis: PingableRedis, timeoutMs: number): Promise<ReadinessCheck> {
  // ioredis queues commands while reconnecting, so a PING to a lost server would wait, not fail.
  if (redis.status !== 'ready') return { name: 'redis', ok: false, detail: `client ${redis.status}` };
  try {
    const reply = await withTimeout(redis.ping(), timeoutMs);
    return { name: 'redis', ok: reply === 'PONG', detail: `PING answered ${reply}` };
  } catch (error) {
    return { name: 'redis', ok: false, detail: `PING failed: ${messageOf(error)}` };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
