// The tools a worker can run: TypeScript tools registered by name, and MCP servers' tools. Resolves
// an agent's tool references into what the model is offered, and runs one call: input checked
// against the tool's schema first, output capped, a large output kept whole in the blob store.
import { Ajv, type ValidateFunction } from 'ajv';
import {
  McpServerError,
  ToolExecutionError,
  ToolInputError,
  UnknownToolError,
} from '../../common/agents/errors.js';
import type { ResolvedTool, ToolBinding } from '../../common/agents/tools.js';
import type { ToolRef } from '../../common/agents/types.js';
import type { JsonSchema, JsonValue } from '../../common/request.js';
import { BUILTIN_TOOLS } from './builtin.js';
import type { McpConnections } from './mcp.js';
import type { AgentTool, ToolOutput, ToolRunContext } from './types.js';

export type { ResolvedTool, ToolBinding };

/** `<server>__<tool>`: MCP tool names are only unique per server. */
export const mcpToolName = (server: string, tool: string): string => `${server}__${tool}`;

const SUB_AGENT_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { input: { type: 'string', description: 'the task for the agent' } },
  required: ['input'],
  additionalProperties: false,
};

export class ToolRegistry {
  private readonly tools = new Map<string, AgentTool>();
  private readonly ajv = new Ajv({ allErrors: true, logger: false, strict: false });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    tools: readonly AgentTool[] = BUILTIN_TOOLS,
    readonly mcp?: McpConnections,
  ) {
    for (const tool of tools) this.tools.set(tool.name, tool);
  }

  register(tool: AgentTool): void {
    this.tools.set(tool.name, tool);
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  /** What each reference offers the model; an unknown reference is a typed error naming it. */
  async resolve(
    refs: readonly ToolRef[],
    describeAgent: (id: string) => Promise<string>,
  ): Promise<ResolvedTool[]> {
    const resolved: ResolvedTool[] = [];
    for (const ref of refs) {
      if (ref.startsWith('mcp:')) {
        const [server = '', only] = ref.slice(4).split('/');
        if (!this.mcp?.has(server)) {
          throw new McpServerError(
            `tool "${ref}": no MCP server "${server}" in config/mcp.yaml (known: ${this.mcp?.names().join(', ') || 'none'})`,
          );
        }
        const listed = await this.mcp.listTools(server);
        const chosen = only ? listed.filter((t) => t.name === only) : listed;
        if (only && chosen.length === 0) {
          throw new UnknownToolError(
            `tool "${ref}": server "${server}" has no tool "${only}" (it has ${listed.map((t) => t.name).join(', ')})`,
          );
        }
        for (const t of chosen) {
          resolved.push({
            name: mcpToolName(server, t.name),
            description: t.description,
            parameters: t.inputSchema,
            binding: { kind: 'mcp', server, tool: t.name },
          });
        }
      } else if (ref.startsWith('agent:')) {
        const agentId = ref.slice(6);
        resolved.push({
          name: `agent__${agentId}`,
          description: await describeAgent(agentId),
          parameters: SUB_AGENT_SCHEMA,
          binding: { kind: 'agent', agentId },
        });
      } else {
        const tool = this.tools.get(ref);
        if (!tool) {
          throw new UnknownToolError(
            `tool "${ref}" is not registered with the worker (registered: ${this.names().join(', ')})`,
          );
        }
        resolved.push({
          name: tool.name,
          description: tool.description,
          parameters: tool.inputSchema,
          binding: { kind: 'ts', tool: ref },
        });
      }
    }
    return resolved;
  }

  /** Checks the input against the tool's schema; a failure says which field, for the model to fix. */
  checkInput(tool: ResolvedTool, input: JsonValue): void {
    const key = JSON.stringify(tool.parameters);
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(tool.parameters);
      this.validators.set(key, validate);
    }
    if (validate(input)) return;
    const problems = (validate.errors ?? []).map(
      (e) => `${e.instancePath || 'input'} ${e.message ?? 'is invalid'}`,
    );
    throw new ToolInputError(`the arguments of ${tool.name} do not fit its schema: ${problems.join('; ')}`);
  }

  /** Runs a TypeScript or MCP tool (sub-agents are child workflows, run by the workflow). */
  async run(tool: ResolvedTool, input: JsonValue, context: ToolRunContext): Promise<ToolOutput> {
    this.checkInput(tool, input);
    const { binding } = tool;
    if (binding.kind === 'mcp') {
      if (!this.mcp) throw new McpServerError('no MCP servers are configured on this worker');
      return this.mcp.callTool(
        binding.server,
        binding.tool,
        input as Record<string, unknown>,
        context.signal,
      );
    }
    if (binding.kind === 'agent')
      throw new UnknownToolError(`${tool.name} is an agent: it runs as a child workflow`);
    const code = this.tools.get(binding.tool);
    if (!code) throw new UnknownToolError(`tool "${binding.tool}" is not registered with this worker`);
    try {
      const output = await code.run(input, context);
      return { text: typeof output === 'string' ? output : JSON.stringify(output), isError: false };
    } catch (error) {
      throw new ToolExecutionError(`${tool.name} failed: ${(error as Error).message}`);
    }
  }
}
