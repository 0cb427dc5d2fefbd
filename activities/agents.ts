// The agent's activities: loading its definition, resolving its tools (the list is recorded in
// history, so a replay offers the model the same tools), running one tool call, and publishing the
// run's progress events to its stream.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ToolExecutionError, ToolInputError } from '../common/agents/errors.js';
import type { AgentEvent } from '../common/agents/events.js';
import type { ResolvedTool } from '../common/agents/tools.js';
import type { AgentDefinition } from '../common/agents/types.js';
import type { JsonValue } from '../common/request.js';
import { DEFAULT_PIPELINE_BLOB_DIR } from '../config/env.js';
import { checkAgentDefinition, DEFAULT_AGENTS_DIR, loadAgent } from '../core/agents/load.js';
import { BLOB_REF_PREFIX, type BlobStore, pipelineBlobDirectory, putText } from '../core/pipelines/blobs.js';
import type { StreamPublisher } from '../core/streaming/types.js';
import type { ToolRegistry } from '../core/tools/registry.js';

/** The most of a tool's output the model reads; the whole output is kept by reference. */
export const MAX_TOOL_OUTPUT_CHARS = 16_000;
/** The most of it the step record keeps. */
const SUMMARY_CHARS = 200;

export interface RunAgentToolInput {
  runId: string;
  step: number;
  callId: string;
  tool: ResolvedTool;
  arguments: JsonValue;
}

export interface RunAgentToolResult {
  /** What the model reads (capped). */
  text: string;
  summary: string;
  isError: boolean;
  errorType?: string;
  resultRef?: string;
  durationMs: number;
}

export interface AgentActivities {
  loadAgentDefinition(input: { agentId?: string; definition?: AgentDefinition }): Promise<AgentDefinition>;
  resolveAgentTools(input: { definition: AgentDefinition }): Promise<ResolvedTool[]>;
  runAgentTool(input: RunAgentToolInput): Promise<RunAgentToolResult>;
  publishAgentEvents(input: { runId: string; events: AgentEvent[] }): Promise<void>;
}

export interface AgentActivityDeps {
  tools: ToolRegistry;
  agentsDir?: string;
  blobs?: BlobStore;
  streams?: StreamPublisher;
}

const oneLine = (text: string, max: number): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export function createAgentActivities(deps: AgentActivityDeps): AgentActivities {
  const agentsDir = deps.agentsDir ?? DEFAULT_AGENTS_DIR;
  let blobs = deps.blobs;
  const store = (): BlobStore => {
    blobs ??= pipelineBlobDirectory(DEFAULT_PIPELINE_BLOB_DIR);
    return blobs;
  };
  const publish = async (runId: string, events: AgentEvent[]): Promise<void> => {
    if (!deps.streams) return;
    for (const event of events) await deps.streams.publish(runId, event);
  };

  return {
    async loadAgentDefinition({ agentId, definition }) {
      if (definition) return checkAgentDefinition('the agent definition', definition);
      return loadAgent(agentId ?? '', agentsDir);
    },

    resolveAgentTools: ({ definition }) =>
      deps.tools.resolve(definition.tools, async (id) => {
        const sub = await loadAgent(id, agentsDir);
        return sub.description ?? `the ${id} agent`;
      }),

    async runAgentTool({ runId, step, callId, tool, arguments: args }) {
      const started = Date.now();
      const context = Context.current();
      await publish(runId, [{ type: 'tool_called', step, callId, name: tool.name, arguments: args }]);
      let text: string;
      let isError = false;
      let errorType: string | undefined;
      try {
        const output = await deps.tools.run(tool, args, {
          runId,
          step,
          callId,
          signal: context.cancellationSignal,
        });
        text = output.text;
        isError = output.isError;
        errorType = output.errorType;
      } catch (error) {
        // Bad input is the model's to fix: tell it at once. A tool that threw is retried by policy.
        if (error instanceof ToolInputError) {
          text = error.message;
          isError = true;
          errorType = ToolInputError.type;
        } else if (error instanceof ToolExecutionError) {
          throw ApplicationFailure.retryable(error.message, ToolExecutionError.type);
        } else {
          throw error;
        }
      }
      let resultRef: string | undefined;
      if (text.length > MAX_TOOL_OUTPUT_CHARS) {
        resultRef = `${BLOB_REF_PREFIX}${await putText(store(), text)}`;
        text = `${text.slice(0, MAX_TOOL_OUTPUT_CHARS)}\n[output cut at ${MAX_TOOL_OUTPUT_CHARS} of ${text.length} characters; the whole output is ${resultRef}]`;
      }
      const result: RunAgentToolResult = {
        text,
        summary: oneLine(text, SUMMARY_CHARS),
        isError,
        ...(errorType ? { errorType } : {}),
        ...(resultRef ? { resultRef } : {}),
        durationMs: Date.now() - started,
      };
      await publish(runId, [
        {
          type: 'tool_result',
          step,
          callId,
          name: tool.name,
          isError,
          summary: result.summary,
          ...(errorType ? { errorType } : {}),
          durationMs: result.durationMs,
        },
      ]);
      return result;
    },

    publishAgentEvents: ({ runId, events }) => publish(runId, events),
  };
}
