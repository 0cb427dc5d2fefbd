// Resolves where a catalog model is called: its kind in the provider table, and the endpoint built
// from the kind's variables or the entry's own baseURL, apiKeyEnv, headers and queryParams. A
// missing key is an AuthenticationError naming the variable; a kind the table lacks is a ConfigError.
import type { ModelSpec } from '../../common/catalog.js';
import { AuthenticationError, ConfigError } from '../../common/errors.js';
import {
  type EnvironmentKindName,
  type ProviderKind,
  type ProviderKindName,
  providerKind,
  providerKindNames,
} from './kinds.js';
import type { Environment, ProviderSettings } from './settings.js';
import type { Endpoint } from './types.js';

/** The fields of a catalog entry that say where it is called. */
export type EndpointSpec = Pick<ModelSpec, 'id' | 'provider'> &
  Partial<Pick<ModelSpec, 'kind' | 'baseURL' | 'apiKeyEnv' | 'headers' | 'queryParams'>>;

export interface ResolvedEndpoint {
  kind: ProviderKind;
  /** Two models share an adapter (and its HTTP client) exactly when their keys are equal. */
  key: string;
  endpoint: Endpoint;
}

/** The kind a model's entry names (`kind`, or its provider's name), or a ConfigError. */
export function kindOf(model: EndpointSpec): { name: ProviderKindName; kind: ProviderKind } {
  const name = model.kind ?? model.provider;
  const kind = providerKind(name);
  if (!kind) {
    throw new ConfigError(
      `model ${model.id}: provider kind "${name}" is not in the provider table (${providerKindNames.join(', ')}); ` +
        'an OpenAI-compatible endpoint is kind: openai-compatible with its baseURL and apiKeyEnv',
      { details: { provider: model.provider, model: model.id } },
    );
  }
  return { name: name as ProviderKindName, kind };
}

/** The identity of a model's endpoint (kind, base URL, key variable, headers, query), read without any secret. */
export function endpointKey(model: EndpointSpec): string {
  const { provider, kind, baseURL, apiKeyEnv, headers, queryParams } = model;
  return JSON.stringify([
    provider,
    kind ?? provider,
    baseURL ?? '',
    apiKeyEnv ?? '',
    headers ?? {},
    queryParams ?? {},
  ]);
}

function noKey(model: EndpointSpec, advice: string): AuthenticationError {
  return new AuthenticationError(
    `no API key for provider "${model.provider}" (model ${model.id}): ${advice}`,
    {
      details: { provider: model.provider, model: model.id },
    },
  );
}

const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces each `${VAR}` in the values with the variable from the worker's environment. */
function expand(
  model: EndpointSpec,
  field: 'headers' | 'queryParams',
  env: Environment,
): Record<string, string> | undefined {
  const values = model[field];
  if (!values) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    out[name] = value.replace(reference, (_, variable: string) => {
      const set = env[variable];
      if (!set)
        throw noKey(
          model,
          `set ${variable} (which ${field}.${name} of this catalog entry uses) in the worker's environment`,
        );
      return set;
    });
  }
  return out;
}

export function resolveEndpoint(model: EndpointSpec, settings: ProviderSettings): ResolvedEndpoint {
  const { name, kind } = kindOf(model);
  const key = endpointKey(model);
  const env = settings.env ?? {};
  const headers = expand(model, 'headers', env);
  const queryParams = expand(model, 'queryParams', env);
  const extras = {
    ...(headers ? { headers } : {}),
    ...(queryParams ? { queryParams } : {}),
    ...(settings.timeoutMs ? { timeoutMs: settings.timeoutMs } : {}),
  };
  if (kind.source === 'environment') {
    // An environment kind's name is an EnvironmentKindName by the table's construction.
    const account = settings[name as EnvironmentKindName];
    if (!account) throw noKey(model, kind.missingKey(kind.apiKeyEnv));
    const hints = { keyVariable: kind.apiKeyEnv, baseURLSource: kind.baseURLEnv };
    return { kind, key, endpoint: { name: model.provider, ...account, ...extras, hints } };
  }
  const variable = model.apiKeyEnv ?? '';
  const apiKey = env[variable];
  if (!apiKey) throw noKey(model, kind.missingKey(variable || 'the variable apiKeyEnv names'));
  const endpoint: Endpoint = {
    name: model.provider,
    apiKey,
    ...(model.baseURL ? { baseURL: model.baseURL } : {}),
    ...extras,
    hints: {
      keyVariable: variable,
      // Not the model's id: every model on this endpoint shares the adapter and this hint.
      baseURLSource: `the baseURL of provider ${model.provider} in the model catalog (${model.baseURL})`,
    },
  };
  return { kind, key, endpoint };
}
