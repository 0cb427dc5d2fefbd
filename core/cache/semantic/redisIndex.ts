// Prompt embeddings in Redis, per task type: a hash of Float32 vectors (field = `<scope>|<id>`) and a
// sorted set of the same fields scored by expiry time, which bounds the set and drops expired
// vectors. Candidates of the right scope are fetched and compared in the worker, not in Redis, so a
// scan never blocks Redis for other clients.
import type { Redis } from 'ioredis';
import { RedisScript } from '../../limits/redisScript.js';
import type { Nearest, VectorEntry, VectorIndex } from './index.js';
import { bufferToVector, cosineSimilarity, vectorToBuffer } from './vectors.js';

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// Drops expired members of KEYS[1] (zset) and their vectors in KEYS[2] (hash).
const PURGE = `local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for _, member in ipairs(expired) do redis.call('HDEL', KEYS[2], member) end
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) end`;

// ARGV: member, vector, ttl ms, max entries.
const ADD = new RedisScript(`${NOW_MS}
${PURGE}
local ttl = tonumber(ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
if excess > 0 then
  for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, excess - 1)) do redis.call('HDEL', KEYS[2], member) end
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1)
end
local horizon = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
redis.call('PEXPIREAT', KEYS[1], horizon)
redis.call('PEXPIREAT', KEYS[2], horizon)
return 1`);

// ARGV: scope prefix. Returns live members of that scope, each followed by its vector.
const CANDIDATES = new RedisScript(`${NOW_MS}
${PURGE}
local out = {}
local prefix = ARGV[1]
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(member, 1, #prefix) == prefix then
    local vector = redis.call('HGET', KEYS[2], member)
    if vector then
      out[#out + 1] = member
      out[#out + 1] = vector
    end
  end
end
return out`);

export class RedisVectorIndex implements VectorIndex {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'llm:semcache',
  ) {}

  private keys(taskType: string): [string, string] {
    return [`${this.prefix}:${taskType}:expiry`, `${this.prefix}:${taskType}:vectors`];
  }

  async add(taskType: string, entry: VectorEntry, ttlSeconds: number, maxEntries: number): Promise<void> {
    if (ttlSeconds <= 0) return;
    await ADD.run(this.redis, this.keys(taskType), [
      `${entry.scope}|${entry.id}`,
      vectorToBuffer(entry.vector),
      Math.ceil(ttlSeconds * 1000),
      maxEntries,
    ]);
  }

  async nearest(taskType: string, scope: string, vector: Float32Array): Promise<Nearest | undefined> {
    const reply = (await CANDIDATES.runBuffer(this.redis, this.keys(taskType), [`${scope}|`])) as Buffer[];
    let best: Nearest | undefined;
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const member = (reply[i] as Buffer).toString();
      const similarity = cosineSimilarity(vector, bufferToVector(reply[i + 1] as Buffer));
      if (!best || similarity > best.similarity) {
        best = { id: member.slice(scope.length + 1), similarity };
      }
    }
    return best;
  }

  async remove(taskType: string, id: string): Promise<void> {
    const [expiry, vectors] = this.keys(taskType);
    // The scope is part of the member; find the member by its id suffix.
    const members = await this.redis.zrange(expiry, 0, '-1');
    const gone = members.filter((m) => m.endsWith(`|${id}`));
    if (gone.length === 0) return;
    await this.redis
      .multi()
      .zrem(expiry, ...gone)
      .hdel(vectors, ...gone)
      .exec();
  }
}
