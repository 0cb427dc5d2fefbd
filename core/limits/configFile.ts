// Reads a YAML config file and checks it against a JSON Schema once, at load; errors name the file
// and the field (like config/load.ts does for the catalog). Shared by the limits, budgets and cache
// configs.
import { existsSync, readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../common/errors.js';

const ajv = new Ajv({ allErrors: true });

function describe(file: string, errors: ErrorObject[] | null | undefined): string {
  const lines = (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  return `${file}: ${lines.join('; ')}`;
}

/** The file's content as T, or `fallback` when the file does not exist (the feature is then off). */
export function loadYamlConfig<T>(file: string, schema: object, fallback: T): T {
  if (!existsSync(file)) return fallback;
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8')) ?? {};
  } catch (error) {
    throw new ConfigError(`${file}: is not valid YAML (${(error as Error).message})`, { details: { file } });
  }
  const validate = ajv.compile(schema);
  if (!validate(raw)) throw new ConfigError(describe(file, validate.errors), { details: { file } });
  return raw as T;
}
