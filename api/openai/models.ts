// Which models the OpenAI-compatible endpoint offers: every catalog model by its id, and every task
// route by its task type (`model: "code_generation"` lets routing choose, with its fallbacks).
import type { ModelCatalog, RoutingTable } from '../../common/catalog.js';

export interface ModelChoice {
  taskType: string;
  /** A catalog model to prefer; absent when the name was a route. */
  model?: string;
}

export function resolveModel(
  name: string,
  catalog: ModelCatalog,
  routing: RoutingTable,
): ModelChoice | undefined {
  if (Object.hasOwn(catalog.models, name)) return { taskType: routing.defaultRoute, model: name };
  if (Object.hasOwn(routing.routes, name)) return { taskType: name };
  return undefined;
}

export function modelNames(catalog: ModelCatalog, routing: RoutingTable): string[] {
  return [...Object.keys(catalog.models), ...Object.keys(routing.routes)];
}

/** `GET /v1/models` in OpenAI's list format. */
export function modelList(catalog: ModelCatalog, routing: RoutingTable): unknown {
  const models = Object.values(catalog.models).map((m) => ({
    id: m.id,
    object: 'model',
    created: 0,
    owned_by: m.provider,
  }));
  const routes = Object.keys(routing.routes).map((taskType) => ({
    id: taskType,
    object: 'model',
    created: 0,
    owned_by: 'llm-orchestrator',
  }));
  return { object: 'list', data: [...models, ...routes] };
}
