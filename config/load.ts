// Loads the model catalog and routing table, validates them against their schemas once, and checks
// that they agree with each other. Errors name the file and the field.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import type { ModelCatalog, ModelSpec, RoutingPolicy, RoutingTable, TaskRoute } from '../common/catalog.js';
import { ConfigError } from '../common/errors.js';
import { projectRoot } from './paths.js';

// The YAML beside this file in the sources; the compiled build reads the same files (not copies).
export const configDir: string = join(projectRoot, 'config');

/** Dollars per million tokens of each kind (common/catalog.ts PriceRates says each default). */
const rateProperties = {
  inputPerMillion: { type: 'number', minimum: 0 },
  outputPerMillion: { type: 'number', minimum: 0 },
  cachedInputPerMillion: { type: 'number', minimum: 0 },
  cacheWrite5mPerMillion: { type: 'number', minimum: 0 },
  cacheWrite1hPerMillion: { type: 'number', minimum: 0 },
  reasoningPerMillion: { type: 'number', minimum: 0 },
  imageInputPerMillion: { type: 'number', minimum: 0 },
} as const;

const pricingSchema = {
  type: 'object',
  required: ['inputPerMillion', 'outputPerMillion'],
  additionalProperties: false,
  properties: {
    ...rateProperties,
    longContext: {
      type: 'array',
      items: {
        type: 'object',
        required: ['aboveInputTokens'],
        additionalProperties: false,
        properties: { aboveInputTokens: { type: 'integer', minimum: 0 }, ...rateProperties },
      },
    },
    serviceTiers: {
      type: 'object',
      additionalProperties: { type: 'object', additionalProperties: false, properties: rateProperties },
    },
    batchDiscount: { type: 'number', minimum: 0, maximum: 1 },
  },
} as const;

const modelSchema = {
  type: 'object',
  required: [
    'provider',
    'providerModel',
    'capabilities',
    'contextWindow',
    'maxOutputTokens',
    'pricing',
    'typicalLatencyMs',
    'tokenizer',
  ],
  additionalProperties: false,
  properties: {
    // Names only: which kinds exist and what each needs is the provider table's business
    // (core/providers/kinds.ts), checked against this catalog when the worker starts.
    provider: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$' },
    kind: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$' },
    baseURL: { type: 'string', pattern: '^https?://' },
    apiKeyEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    queryParams: { type: 'object', additionalProperties: { type: 'string' } },
    providerModel: { type: 'string', minLength: 1 },
    capabilities: { type: 'array', items: { type: 'string' } },
    contextWindow: { type: 'integer', minimum: 1 },
    maxOutputTokens: { type: 'integer', minimum: 1 },
    pricing: pricingSchema,
    typicalLatencyMs: { type: 'number', minimum: 0 },
    // boundary-ok: tokenizer names (core/context/tokens.ts), the last being Claude's estimate
    tokenizer: { enum: ['o200k_base', 'cl100k_base', 'anthropic'] },
    structuredOutput: { type: 'boolean' },
  },
} as const;

const catalogSchema = {
  type: 'object',
  required: ['models', 'defaultModel', 'pricesAsOf'],
  additionalProperties: false,
  properties: {
    pricesAsOf: { type: 'string' },
    defaultModel: { type: 'string' },
    models: { type: 'object', minProperties: 1, additionalProperties: modelSchema },
    embeddingModels: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['provider', 'pricing'],
        additionalProperties: false,
        properties: { provider: modelSchema.properties.provider, pricing: pricingSchema },
      },
    },
  },
} as const;

const routeSchema = {
  type: 'object',
  required: ['preferredModels', 'requiredCapabilities', 'fallbackModels', 'tokenBudget', 'cacheTtlSeconds'],
  additionalProperties: false,
  properties: {
    preferredModels: { type: 'array', items: { type: 'string' } },
    requiredCapabilities: { type: 'array', items: { type: 'string' } },
    fallbackModels: { type: 'array', items: { type: 'string' } },
    tokenBudget: { type: 'integer', minimum: 1 },
    defaultMaxOutputTokens: { type: 'integer', minimum: 1 },
    cacheTtlSeconds: { type: 'integer', minimum: 0 },
  },
} as const;

const policySchema = {
  type: 'object',
  required: ['retry', 'maxRepairs', 'circuit'],
  additionalProperties: false,
  properties: {
    retry: {
      type: 'object',
      required: ['maxAttempts', 'initialIntervalMs', 'backoffCoefficient', 'maxIntervalMs'],
      additionalProperties: false,
      properties: {
        maxAttempts: { type: 'integer', minimum: 1 },
        initialIntervalMs: { type: 'integer', minimum: 1 },
        backoffCoefficient: { type: 'number', minimum: 1 },
        maxIntervalMs: { type: 'integer', minimum: 1 },
        // A heartbeat a second at the least busy, so shorter than 2 s cannot be kept.
        heartbeatTimeoutMs: { type: 'integer', minimum: 2000 },
      },
    },
    maxRepairs: { type: 'integer', minimum: 0 },
    modelCalls: { type: 'string', enum: ['child', 'inline', 'every-child'] },
    circuit: {
      type: 'object',
      required: ['failureThreshold', 'cooldownSeconds'],
      additionalProperties: false,
      properties: {
        failureThreshold: { type: 'integer', minimum: 1 },
        cooldownSeconds: { type: 'number', minimum: 0 },
      },
    },
  },
} as const;

export const defaultPolicy: RoutingPolicy = {
  retry: { maxAttempts: 5, initialIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 30_000 },
  maxRepairs: 2,
  circuit: { failureThreshold: 5, cooldownSeconds: 30 },
};

const routingSchema = {
  type: 'object',
  required: ['routes', 'defaultRoute'],
  additionalProperties: false,
  properties: {
    defaultRoute: { type: 'string' },
    policy: policySchema,
    routes: { type: 'object', minProperties: 1, additionalProperties: routeSchema },
  },
} as const;

const ajv = new Ajv({ allErrors: true });
const validateCatalog = ajv.compile(catalogSchema);
const validateRouting = ajv.compile(routingSchema);

function describe(file: string, errors: ErrorObject[] | null | undefined): string {
  const lines = (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  return `${file}: ${lines.join('; ')}`;
}

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot be read (${(error as Error).message})`, { details: { file } });
  }
  try {
    return parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${file}: is not valid YAML (${(error as Error).message})`, { details: { file } });
  }
}

type RawCatalog = Omit<ModelCatalog, 'models'> & { models: Record<string, Omit<ModelSpec, 'id'>> };
type RawRouting = Omit<RoutingTable, 'routes' | 'policy'> & {
  routes: Record<string, Omit<TaskRoute, 'taskType'>>;
  policy?: RoutingPolicy;
};

export function loadModelCatalog(file: string = join(configDir, 'models.yaml')): ModelCatalog {
  const raw = readYaml(file);
  if (!validateCatalog(raw))
    throw new ConfigError(describe(file, validateCatalog.errors), { details: { file } });
  const data = raw as RawCatalog;
  const models: Record<string, ModelSpec> = {};
  for (const [id, spec] of Object.entries(data.models)) {
    models[id] = { ...spec, id, structuredOutput: spec.structuredOutput ?? false };
  }
  if (!models[data.defaultModel]) {
    throw new ConfigError(`${file}: /defaultModel names "${data.defaultModel}", which is not in /models`, {
      details: { file },
    });
  }
  return {
    models,
    ...(data.embeddingModels ? { embeddingModels: data.embeddingModels } : {}),
    defaultModel: data.defaultModel,
    pricesAsOf: data.pricesAsOf,
  };
}

export function loadRoutingTable(
  catalog: ModelCatalog,
  file: string = join(configDir, 'routing.yaml'),
): RoutingTable {
  const raw = readYaml(file);
  if (!validateRouting(raw))
    throw new ConfigError(describe(file, validateRouting.errors), { details: { file } });
  const data = raw as RawRouting;
  const routes: Record<string, TaskRoute> = {};
  for (const [taskType, route] of Object.entries(data.routes)) {
    for (const field of ['preferredModels', 'fallbackModels'] as const) {
      route[field].forEach((model, index) => {
        if (!catalog.models[model]) {
          throw new ConfigError(
            `${file}: /routes/${taskType}/${field}/${index} names "${model}", which is not in the model catalog`,
            { details: { file } },
          );
        }
      });
    }
    routes[taskType] = { ...route, taskType, defaultMaxOutputTokens: route.defaultMaxOutputTokens ?? 1024 };
  }
  if (!routes[data.defaultRoute]) {
    throw new ConfigError(`${file}: /defaultRoute names "${data.defaultRoute}", which is not in /routes`, {
      details: { file },
    });
  }
  return { routes, defaultRoute: data.defaultRoute, policy: data.policy ?? defaultPolicy };
}

/** The route for a task type, or the default route for task types the table does not name. */
export function routeFor(table: RoutingTable, taskType: string): TaskRoute {
  const route = table.routes[taskType] ?? table.routes[table.defaultRoute];
  if (!route) throw new ConfigError(`routing table has no route for "${taskType}" and no default route`);
  return route;
}
