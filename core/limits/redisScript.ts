// A Lua script run with EVALSHA, loaded on first use and again after a Redis restart (NOSCRIPT), so
// the script text crosses the network once per connection rather than on every call.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type ScriptArg = string | number | Buffer;

export class RedisScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script; string replies come back as strings. */
  run(redis: Redis, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    return this.call(redis, keys, args, false);
  }

  /** Runs the script; string replies come back as Buffers (for binary data such as vectors). */
  runBuffer(redis: Redis, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    return this.call(redis, keys, args, true);
  }

  private async call(
    redis: Redis,
    keys: readonly string[],
    args: readonly ScriptArg[],
    buffers: boolean,
  ): Promise<unknown> {
    const send = (command: string, head: string): Promise<unknown> =>
      buffers
        ? redis.callBuffer(command, head, keys.length, ...keys, ...args)
        : redis.call(command, head, keys.length, ...keys, ...args);
    try {
      return await send('EVALSHA', this.sha);
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      // EVAL runs the script and caches it, so the next EVALSHA finds it.
      return send('EVAL', this.source);
    }
  }
}

/** Redis answers Lua numbers as integers and Lua tables as arrays: read one element as a number. */
export function numberAt(reply: unknown, index: number): number {
  const value = Array.isArray(reply) ? reply[index] : undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw new Error(`unexpected Redis script reply ${JSON.stringify(reply)}`);
  return n;
}
