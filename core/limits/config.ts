// config/limits.yaml: requests and tokens per minute per provider and per model.
import { join } from 'node:path';
import { configDir } from '../../config/load.js';
import { loadYamlConfig } from './configFile.js';
import type { RateLimitConfig } from './types.js';

const ruleSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    requestsPerMinute: { type: 'number', exclusiveMinimum: 0 },
    tokensPerMinute: { type: 'number', exclusiveMinimum: 0 },
    burstFraction: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
  },
} as const;

const limitsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    providers: { type: 'object', additionalProperties: ruleSchema },
    models: { type: 'object', additionalProperties: ruleSchema },
  },
} as const;

export function loadRateLimits(file: string = join(configDir, 'limits.yaml')): RateLimitConfig {
  const raw = loadYamlConfig<Partial<RateLimitConfig>>(file, limitsSchema, {});
  return { providers: raw.providers ?? {}, models: raw.models ?? {} };
}
