// Sends an LlmRequest's rendered prompt through a floor workflow instead of the orchestrator, so that
// the load benchmark can measure Temporal's own throughput with the orchestrator's shape.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { LlmRequest } from '../../common/request.js';
import { loadTemplateRegistry } from '../../core/templates/index.js';
import { templatesDir } from '../../workers/config.js';
import { startFloorWorker } from './worker.js';

export type FloorShape = 'floor' | 'single';

const WORKFLOW: Record<FloorShape, string> = { floor: 'floorRequest', single: 'floorSingle' };
const MAX_OUTPUT_TOKENS = 1024; // general_qa's defaultMaxOutputTokens in config/routing.yaml

export async function floorSender(
  temporal: Client,
  connection: NativeConnection,
  openaiBaseURL: string,
  shape: FloorShape,
): Promise<{ execute: (request: LlmRequest) => Promise<undefined>; stop(): Promise<void> }> {
  const taskQueue = `bench-floor-${randomUUID().slice(0, 8)}`;
  const worker = await startFloorWorker(connection, taskQueue, openaiBaseURL);
  const templates = await loadTemplateRegistry(templatesDir());
  return {
    execute: async (request) => {
      const { messages } = templates.render({
        requestId: request.requestId,
        templateId: request.templateId,
        variables: request.variables,
      });
      await temporal.workflow.execute(WORKFLOW[shape], {
        workflowId: request.requestId,
        taskQueue,
        args: [{ model: request.model ?? 'gpt-4o-mini', messages, maxOutputTokens: MAX_OUTPUT_TOKENS }],
      });
      return undefined;
    },
    stop: () => worker.stop(),
  };
}
