// planRoute: checks the request against the catalog and decides which models to try, in order.
// A local activity, so the decision and the live facts behind it (circuit state) are in history.
import { Context } from '@temporalio/activity';
import type { ModelSpec } from '../common/catalog.js';
import { UnknownModelError } from '../common/errors.js';
import type { RoutePlan } from '../common/plan.js';
import type { ChatMessage, LlmRequest } from '../common/request.js';
import { routeFor } from '../config/load.js';
import { counterForModel } from '../core/context/tokens.js';
import type { CircuitState } from '../core/health/circuit.js';
import { compileSchema } from '../core/response/schema.js';
import { selectModels } from '../core/routing/select.js';
import { type ActivityDeps, providerTaskQueue } from './deps.js';

export interface PlanRouteInput {
  request: Pick<
    LlmRequest,
    'taskType' | 'model' | 'fallbackModels' | 'criteria' | 'params' | 'maxRepairs' | 'context' | 'schema'
  >;
  messages: ChatMessage[];
}

export function countPromptTokens(model: ModelSpec, messages: ChatMessage[]): number {
  return counterForModel(model).countMessages(messages);
}

export function createPlanRoute(deps: ActivityDeps): (input: PlanRouteInput) => Promise<RoutePlan> {
  return async function planRoute({ request, messages }: PlanRouteInput): Promise<RoutePlan> {
    const catalog = deps.catalog();
    const route = routeFor(deps.routing(), request.taskType);
    for (const id of [request.model, ...(request.fallbackModels ?? [])]) {
      if (id !== undefined && !catalog.models[id]) {
        throw new UnknownModelError(
          `unknown model "${id}": known models are ${Object.keys(catalog.models).join(', ')} (config/models.yaml)`,
          { details: { model: id, knownModels: Object.keys(catalog.models) } },
        );
      }
    }
    // A schema that does not compile is the caller's mistake: refuse before any provider call.
    if (request.schema) compileSchema(request.schema);
    const maxOutputTokens = request.params?.maxOutputTokens ?? route.defaultMaxOutputTokens;
    // Pinned context always goes with the prompt, so it counts toward the window check; the rest is
    // pruned per model later.
    const pinned = (request.context ?? []).filter((item) => item.pinned).map((item) => item.content);
    const counted: ChatMessage[] = pinned.length
      ? [...messages, { role: 'user', content: pinned.join('\n') }]
      : messages;
    // Count the prompt once per tokenizer: selection asks for it per model, and in its sort.
    const counts = new Map<string, number>();
    const promptTokens = (model: ModelSpec): number => {
      let tokens = counts.get(model.tokenizer);
      if (tokens === undefined) {
        tokens = countPromptTokens(model, counted);
        counts.set(model.tokenizer, tokens);
      }
      return tokens;
    };
    const circuits = new Map<string, CircuitState>();
    for (const state of await deps.health.all()) circuits.set(state.model, state);

    const selection = selectModels({
      catalog,
      route,
      maxOutputTokens,
      criteria: {
        taskType: request.taskType,
        requiredCapabilities: request.criteria?.requiredCapabilities ?? route.requiredCapabilities,
        fallbackModels: request.fallbackModels ?? [],
        ...(request.model ? { preferredModel: request.model } : {}),
        ...(request.criteria?.preferredProvider
          ? { preferredProvider: request.criteria.preferredProvider }
          : {}),
        ...(request.criteria?.maxCostUsd !== undefined ? { maxCostUsd: request.criteria.maxCostUsd } : {}),
        ...(request.criteria?.maxLatencyMs !== undefined
          ? { maxLatencyMs: request.criteria.maxLatencyMs }
          : {}),
      },
      promptTokens,
      latencyMs: (model) => model.typicalLatencyMs,
      unavailable: (model) => {
        const circuit = circuits.get(model.id);
        if (circuit?.status !== 'open') return undefined;
        const seconds = Math.ceil(((circuit.openUntil ?? 0) - Date.now()) / 1000);
        return `circuit open after ${circuit.consecutiveFailures} failures (${circuit.lastErrorType}); retry in ${seconds}s`;
      },
    });
    const cooldowns = selection.skipped.flatMap((skip) => {
      const circuit = circuits.get(skip.model);
      return circuit?.status === 'open' && circuit.openUntil
        ? [{ model: skip.model, openUntil: circuit.openUntil }]
        : [];
    });
    const { providerQueues } = deps.settings;
    const { taskQueue } = Context.current().info;
    const models = providerQueues.enabled
      ? selection.models.map((p) => ({
          ...p,
          activityTaskQueue: providerTaskQueue(taskQueue, p.model.provider),
        }))
      : selection.models;
    return {
      taskType: request.taskType,
      ...selection,
      models,
      cooldowns,
      maxOutputTokens,
      tokenBudget: route.tokenBudget,
      cacheTtlSeconds: route.cacheTtlSeconds,
      retry: deps.settings.retry,
      maxRepairs: request.maxRepairs ?? deps.settings.maxRepairs,
      modelCalls: deps.settings.modelCalls,
    };
  };
}
