// An operator's own TypeScript/JavaScript tools for the stock worker: AGENT_TOOLS_MODULE names a
// module whose `tools` export (or default export) is an array of AgentTool, registered at start.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../common/errors.js';
import type { AgentTool } from './types.js';

function isTool(value: unknown): value is AgentTool {
  const t = value as AgentTool | null;
  return (
    !!t && typeof t.name === 'string' && typeof t.run === 'function' && typeof t.inputSchema === 'object'
  );
}

export async function loadToolsModule(path: string | undefined): Promise<AgentTool[]> {
  if (!path) return [];
  const url = pathToFileURL(isAbsolute(path) ? path : resolve(path)).href;
  const loaded = (await import(url)) as { tools?: unknown; default?: unknown };
  const tools = loaded.tools ?? loaded.default;
  if (!Array.isArray(tools) || !tools.every(isTool)) {
    throw new ConfigError(
      `AGENT_TOOLS_MODULE ${path}: export \`tools\` (or a default export) as an array of { name, description, inputSchema, run }`,
    );
  }
  return tools;
}
