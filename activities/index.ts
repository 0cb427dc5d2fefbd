// The activities the worker registers, built once from their dependencies. Workflows import only
// the `Activities` type from here.
import type { RoutePlan } from '../common/plan.js';
import type { RenderedPrompt, RenderPromptInput } from '../common/prompt.js';
import type { ChatMessage } from '../common/request.js';
import { createBackend } from '../core/backend.js';
import { tokenCounter } from '../core/context/tokens.js';
import { RequestLog } from '../core/logging/requestLog.js';
import type { LogSettings } from '../core/logging/settings.js';
import type { ValidatorRegistry } from '../core/response/index.js';
import { ToolRegistry } from '../core/tools/registry.js';
import { type AgentActivities, createAgentActivities } from './agents.js';
import { type BatchActivities, createBatchActivities } from './batches.js';
import { type BudgetActivities, createBudgetActivities } from './budget.js';
import { type CacheActivities, createCacheActivities } from './cache.js';
import { type ConversationActivities, createConversationActivities } from './conversation.js';
import type { ActivityDeps } from './deps.js';
import { createInvokeProvider, type InvokeProviderInput, type InvokeProviderResult } from './invoke.js';
import { createRateLimitActivities, type RateLimitActivities } from './limits.js';
import { createPipelineActivities, type PipelineActivities } from './pipelines.js';
import { createPlanRoute, type PlanRouteInput } from './plan.js';
import { type PrepareMessagesInput, type PrepareMessagesResult, prepareMessages } from './prepare.js';
import { createRequestStepActivities, type RequestStepActivities } from './requestSteps.js';
import { createUsageActivities, type UsageActivities } from './usage.js';
import {
  createValidateResponse,
  type ValidateResponseInput,
  type ValidateResponseResult,
} from './validate.js';

export interface Activities
  extends AgentActivities,
    ConversationActivities,
    BatchActivities,
    PipelineActivities,
    CacheActivities,
    BudgetActivities,
    RequestStepActivities,
    UsageActivities,
    RateLimitActivities {
  renderPrompt(input: RenderPromptInput): Promise<RenderedPrompt>;
  planRoute(input: PlanRouteInput): Promise<RoutePlan>;
  prepareMessages(input: PrepareMessagesInput): Promise<PrepareMessagesResult>;
  invokeProvider(input: InvokeProviderInput): Promise<InvokeProviderResult>;
  validateResponse(input: ValidateResponseInput): Promise<ValidateResponseResult>;
}

/** Messages the caller wrote itself (the OpenAI-compatible endpoint): sent as they are. */
function passThrough(input: RenderPromptInput & { messages: ChatMessage[] }): RenderedPrompt {
  const counter = tokenCounter('o200k_base');
  return {
    templateId: input.templateId,
    version: 'messages',
    messages: input.messages,
    tokenCounts: input.messages.map((m) => counter.countContent(m)),
  };
}

export function createActivities(
  deps: ActivityDeps & { validators?: ValidatorRegistry; logging?: LogSettings },
): Activities {
  const controls = deps.costControls ?? createBackend().costControls;
  deps = { ...deps, costControls: controls };
  const log = new RequestLog(deps.logging);
  const plan = createPlanRoute(deps);
  const validateResponse = createValidateResponse(deps.validators);
  const cache = createCacheActivities({ ...controls, catalog: deps.catalog });
  const budgets = createBudgetActivities(controls);
  const renderPrompt = async (input: RenderPromptInput): Promise<RenderedPrompt> => {
    const rendered = input.messages
      ? passThrough({ ...input, messages: input.messages })
      : deps.templates.render(input);
    log.rendered(rendered);
    return rendered;
  };
  const planRoute = async (input: PlanRouteInput): Promise<RoutePlan> => {
    const planned = await plan(input);
    log.planned(planned);
    return planned;
  };
  return {
    ...cache,
    ...budgets,
    ...createUsageActivities(controls),
    ...createRateLimitActivities(controls),
    renderPrompt,
    planRoute,
    ...createRequestStepActivities({ renderPrompt, planRoute, ...cache, ...budgets }),
    prepareMessages,
    invokeProvider: createInvokeProvider(deps, log, validateResponse),
    validateResponse,
    ...createConversationActivities(deps),
    ...createPipelineActivities(deps),
    ...createAgentActivities({
      tools: deps.tools ?? new ToolRegistry(),
      ...(deps.agentsDir ? { agentsDir: deps.agentsDir } : {}),
      ...(deps.blobs ? { blobs: deps.blobs } : {}),
      ...(deps.streams ? { streams: deps.streams } : {}),
    }),
    ...createBatchActivities(deps),
  };
}
