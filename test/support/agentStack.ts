// One real stack for the agent doors' tests: the HTTP doors' stack (test/support/apiStack.ts: Redis
// for streams, a Temporal dev server, the provider emulator, a worker, the typed client and the HTTP
// API) with the `agent` workflow's test agents of test/fixtures/agents, no MCP servers, and two keys.
import { join } from 'node:path';
import { projectRoot } from '../../config/paths.js';
import { listAgentFiles } from '../../core/agentFiles.js';
import { type ApiStack, startApiStack } from './apiStack.js';

export const AGENT_KEY = 'test-key-agents-0123456789';
export const STRANGER_KEY = 'test-key-stranger-0123456789';
export const AGENT_CALLER = 'agents-app';
export const TEST_AGENTS_DIR: string = join(projectRoot, 'test', 'fixtures', 'agents');

export type AgentStack = ApiStack;

export function startAgentStack(): Promise<AgentStack> {
  return startApiStack(
    AGENT_KEY,
    AGENT_CALLER,
    { [STRANGER_KEY]: 'stranger' },
    {
      worker: { agentsDir: TEST_AGENTS_DIR, mcpServers: {} },
      api: { agents: { list: () => listAgentFiles(TEST_AGENTS_DIR) } },
    },
  );
}
