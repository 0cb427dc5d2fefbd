// `llm-orchestrator circuits`: each model's circuit as every worker sees it (shared through Redis).
import { Command } from 'commander';
import { readRedisUrl } from '../config/env.js';
import { createBackend } from '../core/backend.js';

export function circuitsCommand(): Command {
  return new Command('circuits')
    .description("show each model's circuit breaker state (needs REDIS_URL, where workers share it)")
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const url = readRedisUrl();
      if (!url) {
        throw new Error(
          'REDIS_URL is not set: without Redis each worker keeps its own circuits; read llm_circuit_state on its /metrics',
        );
      }
      const backend = createBackend({ settings: { redisUrl: url } });
      try {
        const states = await backend.healthStore().all();
        if (options.json) return console.log(JSON.stringify(states));
        if (states.length === 0) return console.log('every circuit is closed');
        for (const s of states) {
          const until = s.openUntil ? ` until ${new Date(s.openUntil).toISOString()}` : '';
          console.log(
            `${s.model.padEnd(24)} ${s.status.padEnd(9)} ${s.consecutiveFailures} failures${until} ${s.lastErrorType ?? ''}`,
          );
        }
      } finally {
        await backend.close();
      }
    });
}
