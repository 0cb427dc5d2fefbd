// MCP servers as tool sources, through the official SDK's client: stdio servers started as child
// processes, streamable HTTP servers by URL. One connection per server per worker, opened on first
// use and reopened after a failure; a server that cannot be reached is a typed McpServerError.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { parse as parseYaml } from 'yaml';
import { McpServerError } from '../../common/agents/errors.js';
import type { JsonSchema } from '../../common/request.js';
import { projectRoot } from '../../config/paths.js';
import type { ToolOutput } from './types.js';

export type McpServerConfig =
  | { command: string; args?: string[]; env?: Record<string, string>; cwd?: string }
  | { url: string; headers?: Record<string, string> };

export interface McpToolInfo {
  name: string;
  description: string;
  inputSchema: JsonSchema;
}

/** `${VAR}` and `${VAR:-default}` from the environment: config names secrets, never holds them. */
function expand(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_, name: string, fallback?: string) => {
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    throw new McpServerError(
      `config/mcp.yaml refers to \${${name}}, which is not set: set it or give a default`,
    );
  });
}

/** The servers in an mcp.yaml (`servers: { name: { command, args } | { url } }`); none when absent. */
export function loadMcpServers(
  path = join(projectRoot, 'config', 'mcp.yaml'),
  env: NodeJS.ProcessEnv = process.env,
): Record<string, McpServerConfig> {
  if (!existsSync(path)) return {};
  const data = parseYaml(readFileSync(path, 'utf8')) as { servers?: Record<string, McpServerConfig> } | null;
  const servers: Record<string, McpServerConfig> = {};
  for (const [name, server] of Object.entries(data?.servers ?? {})) {
    if ('url' in server && typeof server.url === 'string') {
      servers[name] = {
        url: expand(server.url, env),
        ...(server.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(server.headers).map(([k, v]) => [k, expand(v, env)]),
              ),
            }
          : {}),
      };
    } else if ('command' in server && typeof server.command === 'string') {
      servers[name] = {
        command: expand(server.command, env),
        args: (server.args ?? []).map((a) => expand(String(a), env)),
        ...(server.env
          ? { env: Object.fromEntries(Object.entries(server.env).map(([k, v]) => [k, expand(v, env)])) }
          : {}),
      };
    } else {
      throw new McpServerError(
        `${path}: servers.${name} needs either "command" (stdio) or "url" (streamable HTTP)`,
      );
    }
  }
  return servers;
}

/** A command named without a path is looked up in the project's node_modules/.bin first. */
function resolveCommand(command: string): string {
  if (command.includes('/')) return command;
  const local = join(projectRoot, 'node_modules', '.bin', command);
  return existsSync(local) ? local : command;
}

/** The text the model reads from a tools/call result: its text parts, other parts by kind. */
function resultText(result: { content?: unknown; structuredContent?: unknown }): string {
  const parts = Array.isArray(result.content) ? (result.content as { type: string; text?: string }[]) : [];
  const texts = parts.map((p) => (p.type === 'text' ? (p.text ?? '') : `[${p.type} content]`));
  if (texts.length === 0 && result.structuredContent !== undefined)
    return JSON.stringify(result.structuredContent);
  return texts.join('\n');
}

export class McpConnections {
  private readonly clients = new Map<string, Promise<Client>>();

  constructor(private readonly servers: Record<string, McpServerConfig>) {}

  has(server: string): boolean {
    return server in this.servers;
  }

  names(): string[] {
    return Object.keys(this.servers);
  }

  private connect(name: string): Promise<Client> {
    const existing = this.clients.get(name);
    if (existing) return existing;
    const config = this.servers[name];
    if (!config) {
      return Promise.reject(
        new McpServerError(
          `no MCP server "${name}" in config/mcp.yaml (known: ${this.names().join(', ') || 'none'})`,
        ),
      );
    }
    const client = new Client({ name: 'llm-orchestrator', version: '0.1.0' });
    const transport =
      'url' in config
        ? new StreamableHTTPClientTransport(new URL(config.url), {
            requestInit: { headers: config.headers ?? {} },
          })
        : new StdioClientTransport({
            command: resolveCommand(config.command),
            args: config.args ?? [],
            stderr: 'ignore',
            ...(config.env ? { env: { ...(process.env as Record<string, string>), ...config.env } } : {}),
            ...(config.cwd ? { cwd: config.cwd } : {}),
          });
    transport.onclose = () => this.clients.delete(name);
    const connected = client.connect(transport).then(
      () => client,
      (error: unknown) => {
        this.clients.delete(name);
        throw new McpServerError(`MCP server "${name}" could not be reached: ${(error as Error).message}`);
      },
    );
    this.clients.set(name, connected);
    return connected;
  }

  async listTools(server: string): Promise<McpToolInfo[]> {
    const client = await this.connect(server);
    try {
      const { tools } = await client.listTools();
      return tools.map((t) => {
        const { $schema: _, ...schema } = t.inputSchema as JsonSchema & { $schema?: string };
        return { name: t.name, description: t.description ?? '', inputSchema: schema };
      });
    } catch (error) {
      this.clients.delete(server);
      throw new McpServerError(
        `MCP server "${server}" failed to list its tools: ${(error as Error).message}`,
      );
    }
  }

  async callTool(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<ToolOutput> {
    const client = await this.connect(server);
    let result: { content?: unknown; structuredContent?: unknown; isError?: unknown };
    try {
      result = (await client.callTool({ name: tool, arguments: args }, undefined, {
        signal,
      })) as typeof result;
    } catch (error) {
      if (signal.aborted) throw error;
      this.clients.delete(server);
      throw new McpServerError(`MCP server "${server}" failed on ${tool}: ${(error as Error).message}`);
    }
    const text = resultText(result);
    return result.isError === true
      ? { text, isError: true, errorType: 'ToolExecutionError' }
      : { text, isError: false };
  }

  async close(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.allSettled(all.map(async (c) => (await c).close()));
  }
}
