// The activities the worker registers, built once from their dependencies. Workflows import only
// the `Activities` type from here.
import type { RoutePlan } from '../common/plan.js';
import type { RenderedPrompt, RenderPromptInput } from '../common/prompt.js';
import type { ActivityDeps } from './deps.js';
import { createInvokeProvider, type InvokeProviderInput, type InvokeProviderResult } from './invoke.js';
import { createPlanRoute, type PlanRouteInput } from './plan.js';
import { type PrepareMessagesInput, type PrepareMessagesResult, prepareMessages } from './prepare.js';
import type { ValidatorRegistry } from './response/index.js';
import {
  createValidateResponse,
  type ValidateResponseInput,
  type ValidateResponseResult,
} from './validate.js';

export interface Activities {
  renderPrompt(input: RenderPromptInput): Promise<RenderedPrompt>;
  planRoute(input: PlanRouteInput): Promise<RoutePlan>;
  prepareMessages(input: PrepareMessagesInput): Promise<PrepareMessagesResult>;
  invokeProvider(input: InvokeProviderInput): Promise<InvokeProviderResult>;
  validateResponse(input: ValidateResponseInput): Promise<ValidateResponseResult>;
}

export function createActivities(deps: ActivityDeps & { validators?: ValidatorRegistry }): Activities {
  return {
    renderPrompt: async (input) => deps.templates.render(input),
    planRoute: createPlanRoute(deps),
    prepareMessages,
    invokeProvider: createInvokeProvider(deps),
    validateResponse: createValidateResponse(deps.validators),
  };
}
