// The subcommands, each loaded only when it runs: one command's modules (the Temporal worker, the
// HTTP server, Redis, the provider SDKs) cost seconds to load, and `--help` needs none of them. The
// help lines are written here; test/cli-commands.test.ts checks them against the real commands.
import type { Command } from 'commander';

export interface CommandEntry {
  name: string;
  /** How the root help lists it, e.g. `approve [options] <pipeline id> <step>`. */
  term: string;
  description: string;
  load: () => Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'run',
    term: 'run [options]',
    description: 'send one request through the orchestrator and print its result',
    load: async () => (await import('./run.js')).runCommand(),
  },
  {
    name: 'chat',
    term: 'chat [options]',
    description: 'talk to a model in a durable conversation; every line is one turn',
    load: async () => (await import('./chat.js')).chatCommand(),
  },
  {
    name: 'worker',
    term: 'worker [options]',
    description: 'run a worker on LLM_TASK_QUEUE (connects to TEMPORAL_ADDRESS)',
    load: async () => (await import('./worker.js')).workerCommand(),
  },
  {
    name: 'emulator',
    term: 'emulator [options]',
    description: 'Run the OpenAI / Anthropic API emulator (deterministic replies, scriptable failures)',
    load: async () => (await import('../emulator/main.js')).emulatorCommand(),
  },
  {
    name: 'templates',
    term: 'templates',
    description: 'Inspect, render and check prompt templates',
    load: async () => (await import('./templates.js')).templatesCommand(),
  },
  {
    name: 'pipeline',
    term: 'pipeline',
    description: 'agent pipelines: multi-step runs of child requests',
    load: async () => (await import('./pipeline.js')).pipelineCommand(),
  },
  {
    name: 'agent',
    term: 'agent',
    description: 'durable agents: a model and its tools in a loop, as a workflow',
    load: async () => (await import('./agent.js')).agentCommand(),
  },
  {
    name: 'approve',
    term: 'approve [options] <pipeline id> <step>',
    description: "approve (or --reject) a pipeline's waiting approval step",
    load: async () => (await import('./pipeline.js')).approveCommand(),
  },
  {
    name: 'replay',
    term: 'replay [options] [workflowId]',
    description: 'replay histories against the current workflow code; exit 1 on the first divergence of any',
    load: async () => (await import('./replay.js')).replayCommand(),
  },
  {
    name: 'codec-server',
    term: 'codec-server [options]',
    description:
      'serve POST /encode and /decode for the Temporal UI/CLI (needs CODEC_SERVER_TOKEN and the codec settings: PAYLOAD_ENCRYPTION_KEY…, CLAIM_CHECK_…)',
    load: async () => (await import('./codecServer.js')).codecServerCommand(),
  },
  {
    name: 'circuits',
    term: 'circuits [options]',
    description: "show each model's circuit breaker state (needs REDIS_URL, where workers share it)",
    load: async () => (await import('./circuits.js')).circuitsCommand(),
  },
  {
    name: 'usage',
    term: 'usage [options]',
    description: 'Print token usage and cost per model, task type, caller or provider (reads REDIS_URL)',
    load: async () => (await import('./usage.js')).usageCommand(),
  },
  {
    name: 'serve',
    term: 'serve [options]',
    description:
      'serve the HTTP API (connects to TEMPORAL_ADDRESS; API keys from API_KEYS / API_KEYS_FILE / Redis)',
    load: async () => (await import('./serve.js')).serveCommand(),
  },
  {
    name: 'setup',
    term: 'setup [options]',
    description: 'create the namespace and register the search attributes the workflows use (idempotent)',
    load: async () => (await import('./setup.js')).setupCommand(),
  },
];
