// Request id and model on every log line of a request's activities. Temporal's activity logger
// already adds workflowId and activityType; this interceptor adds the request and the model: from
// the workflow's id when the activity starts (so the SDK's own "Activity started" line has them; a
// first model's call on the fast path runs in the request's own workflow, whose id names no model),
// then from the activity's input, which names them outright when it can.
import type { Context } from '@temporalio/activity';
import type { ActivityInterceptors } from '@temporalio/worker';

export interface RequestLogContext {
  requestId?: string;
  model?: string;
}

// A modelCall child's id is `<request id>/<n>-<model>` (workflows/fallbackChain.ts); model ids
// have no slash, request ids may.
const MODEL_CALL_ID = /^(.+)\/\d+-([^/]+)$/;

/**
 * The request a workflow serves, read from its id: an llmRequest's workflow id is its request id
 * (the client, batches, conversations and pipelines all start it so), a modelCall's names both.
 */
export function requestOfWorkflow(
  workflowType: string | undefined,
  workflowId: string | undefined,
): RequestLogContext {
  if (!workflowId) return {};
  if (workflowType === 'llmRequest') return { requestId: workflowId };
  if (workflowType === 'modelCall') {
    const match = MODEL_CALL_ID.exec(workflowId);
    if (match) return { requestId: match[1], model: match[2] };
  }
  return {};
}

/** Request id and model as an activity's input names them (`requestId`, `model`, `request.*`). */
export function requestOfInput(input: unknown): RequestLogContext {
  if (typeof input !== 'object' || input === null) return {};
  const { requestId, model, request } = input as {
    requestId?: unknown;
    model?: unknown;
    request?: { requestId?: unknown; model?: unknown };
  };
  const id = typeof requestId === 'string' ? requestId : request?.requestId;
  const modelId =
    typeof model === 'string'
      ? model
      : typeof model === 'object' && model !== null
        ? (model as { id?: unknown }).id
        : request?.model;
  const found: RequestLogContext = {};
  if (typeof id === 'string') found.requestId = id;
  if (typeof modelId === 'string') found.model = modelId;
  return found;
}

/** The activity interceptor the worker registers for every activity, local ones included. */
export function requestLogContext(ctx: Context): ActivityInterceptors {
  const { info } = ctx;
  const known = requestOfWorkflow(info.workflowType, info.workflowExecution?.workflowId);
  return {
    inbound: {
      execute(input, next) {
        const fromInput = requestOfInput(input.args[0]);
        if (fromInput.requestId) known.requestId = fromInput.requestId;
        if (fromInput.model) known.model = fromInput.model;
        return next(input);
      },
    },
    outbound: {
      // Called for every line the activity's loggers write, before the level filter: keep it cheap.
      // The SDK builds `attributes` afresh for each line, so adding to it in place is safe.
      getLogAttributes(attributes, next) {
        if (known.requestId) attributes.requestId = known.requestId;
        if (known.model) attributes.model = known.model;
        return next(attributes);
      },
    },
  };
}
