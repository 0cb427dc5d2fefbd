// The seed's Model Router selection (ModelSelectionCriteria), as a pure function of the catalog,
// the task's route, the prompt's size and live health. The workflow then walks the plan it returns.
import type { ModelCatalog, ModelSpec, TaskRoute } from '../../common/catalog.js';
import { costUsd } from '../../common/catalog.js';
import type { PlannedModel, SkippedModel } from '../../common/plan.js';

export interface ModelSelectionCriteria {
  taskType: string;
  requiredCapabilities: string[];
  /** Most the request may cost in US dollars (prompt + reserved output, estimated). */
  maxCostUsd?: number;
  /** Most the model's typical (or observed) latency may be, in milliseconds. */
  maxLatencyMs?: number;
  preferredProvider?: string;
  preferredModel?: string;
  fallbackModels: string[];
}

export interface SelectionInput {
  catalog: ModelCatalog;
  route: TaskRoute;
  criteria: ModelSelectionCriteria;
  maxOutputTokens: number;
  /** Prompt tokens counted with a model's tokenizer. */
  promptTokens: (model: ModelSpec) => number;
  /** Why a model must not be tried now (open circuit), or undefined when it is healthy. */
  unavailable: (model: ModelSpec) => string | undefined;
  /** Observed latency (ms) when known; the catalog's typical latency otherwise. */
  latencyMs: (model: ModelSpec) => number;
}

export interface Selection {
  models: PlannedModel[];
  skipped: SkippedModel[];
  decision: string;
}

export function selectModels(input: SelectionInput): Selection {
  const { catalog, criteria } = input;
  const planned: PlannedModel[] = [];
  const skipped: SkippedModel[] = [];
  const seen = new Set<string>();
  const notes: string[] = [];

  const estimate = (model: ModelSpec): PlannedModel['estimatedCostUsd'] =>
    costUsd(model.pricing, { inputTokens: input.promptTokens(model), outputTokens: input.maxOutputTokens });

  /** Why a model cannot serve this request at all (too small a window, open circuit). */
  const blocker = (model: ModelSpec): string | undefined => {
    const needed = input.promptTokens(model) + Math.min(input.maxOutputTokens, model.maxOutputTokens);
    if (needed > model.contextWindow) {
      return `prompt needs ${needed} tokens with reserved output; window is ${model.contextWindow}`;
    }
    return input.unavailable(model);
  };

  /** Why a model does not meet the request's criteria (capabilities, cost, latency). */
  const unmet = (model: ModelSpec): string | undefined => {
    const missing = criteria.requiredCapabilities.filter((c) => !model.capabilities.includes(c));
    if (missing.length) return `lacks ${missing.join(', ')}`;
    if (criteria.maxCostUsd !== undefined && estimate(model) > criteria.maxCostUsd) {
      return `estimated $${estimate(model)} exceeds maxCostUsd $${criteria.maxCostUsd}`;
    }
    if (criteria.maxLatencyMs !== undefined && input.latencyMs(model) > criteria.maxLatencyMs) {
      return `latency ${input.latencyMs(model)} ms exceeds maxLatencyMs ${criteria.maxLatencyMs}`;
    }
    return undefined;
  };

  const add = (model: ModelSpec, role: PlannedModel['role']): void => {
    if (seen.has(model.id)) return;
    seen.add(model.id);
    const reason = blocker(model);
    if (reason) {
      skipped.push({ model: model.id, reason });
      return;
    }
    planned.push({ model, role, promptTokens: input.promptTokens(model), estimatedCostUsd: estimate(model) });
  };

  if (criteria.preferredModel) {
    const preferred = catalog.models[criteria.preferredModel];
    const why = preferred ? unmet(preferred) : 'not in the catalog';
    if (preferred && !why) add(preferred, 'preferred');
    else notes.push(`preferred model ${criteria.preferredModel} ${why}`);
  }

  // Candidates: the route's preferred models that meet the criteria; when none do, any catalog model
  // that does. Ordered as the seed orders them: preferred provider, estimated cost, latency.
  const fromRoute = input.route.preferredModels
    .map((id) => catalog.models[id])
    .filter((m) => m !== undefined);
  let candidates = fromRoute.filter((m) => !unmet(m));
  if (candidates.length === 0) candidates = Object.values(catalog.models).filter((m) => !unmet(m));
  candidates.sort(
    (a, b) =>
      Number(a.provider !== criteria.preferredProvider) - Number(b.provider !== criteria.preferredProvider) ||
      estimate(a) - estimate(b) ||
      input.latencyMs(a) - input.latencyMs(b) ||
      a.id.localeCompare(b.id),
  );
  for (const model of candidates) add(model, 'candidate');

  for (const id of [...criteria.fallbackModels, ...input.route.fallbackModels]) {
    const model = catalog.models[id];
    if (model) add(model, 'fallback');
    else skipped.push({ model: id, reason: 'fallback model is not in the catalog' });
  }

  if (planned.length === 0) {
    const fallback = catalog.models[catalog.defaultModel];
    if (fallback && !seen.has(fallback.id)) {
      notes.push(`no model met the criteria, using the default model ${fallback.id}`);
      add(fallback, 'default');
    }
  }

  const order = planned.map((p) => `${p.model.id} (${p.role})`).join(' → ') || 'no model';
  const skips = skipped.map((s) => `${s.model}: ${s.reason}`);
  const decision = [
    `route ${criteria.taskType}: ${order}`,
    ...notes,
    ...skips.map((s) => `skipped ${s}`),
  ].join('; ');
  return { models: planned, skipped, decision };
}
