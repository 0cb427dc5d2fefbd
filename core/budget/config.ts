// config/budgets.yaml: spend limits per caller and for everyone, per day and per month.
import { join } from 'node:path';
import { configDir } from '../../config/load.js';
import { loadYamlConfig } from '../limits/configFile.js';
import type { BudgetConfig } from './types.js';

const limitSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dailyUsd: { type: 'number', minimum: 0 },
    monthlyUsd: { type: 'number', minimum: 0 },
  },
} as const;

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    global: limitSchema,
    defaultCaller: limitSchema,
    callers: { type: 'object', additionalProperties: limitSchema },
    reservationTtlSeconds: { type: 'integer', minimum: 1 },
  },
} as const;

/** Reservations outlive the longest request (600 s default deadline) with room to spare. */
export const DEFAULT_RESERVATION_TTL_SECONDS = 900;

export function loadBudgetConfig(file: string = join(configDir, 'budgets.yaml')): BudgetConfig {
  const raw = loadYamlConfig<Partial<BudgetConfig>>(file, schema, {});
  return {
    ...(raw.global ? { global: raw.global } : {}),
    ...(raw.defaultCaller ? { defaultCaller: raw.defaultCaller } : {}),
    callers: raw.callers ?? {},
    reservationTtlSeconds: raw.reservationTtlSeconds ?? DEFAULT_RESERVATION_TTL_SECONDS,
  };
}
