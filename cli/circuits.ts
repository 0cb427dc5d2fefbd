// `llm-orchestrator circuits`: each model's circuit as every worker sees it (shared through Redis).
import { Command } from 'commander';
import { Redis } from 'ioredis';
import { RedisHealthStore } from '../core/health/redisCircuit.js';

export function circuitsCommand(): Command {
  return new Command('circuits')
    .description("show each model's circuit breaker state (needs REDIS_URL, where workers share it)")
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const url = process.env.REDIS_URL;
      if (!url) {
        throw new Error(
          'REDIS_URL is not set: without Redis each worker keeps its own circuits; read llm_circuit_state on its /metrics',
        );
      }
      const redis = new Redis(url);
      try {
        const states = await new RedisHealthStore(redis).all();
        if (options.json) return console.log(JSON.stringify(states));
        if (states.length === 0) return console.log('every circuit is closed');
        for (const s of states) {
          const until = s.openUntil ? ` until ${new Date(s.openUntil).toISOString()}` : '';
          console.log(
            `${s.model.padEnd(24)} ${s.status.padEnd(9)} ${s.consecutiveFailures} failures${until} ${s.lastErrorType ?? ''}`,
          );
        }
      } finally {
        redis.disconnect();
      }
    });
}
