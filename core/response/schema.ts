// JSON Schema validation of answers. Each distinct schema is compiled once (ajv compiles a schema
// into a JS function, which costs milliseconds; validating is then microseconds) and kept in a
// bounded LRU keyed by a hash of its canonical JSON, so requests carrying the same schema as a
// fresh object still hit the cache.
import { createHash } from 'node:crypto';
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { LRUCache } from 'lru-cache';
import { InvalidSchemaError } from '../../common/errors.js';
import type { JsonSchema } from '../../common/request.js';
import { formatSchemaErrors } from './schema-errors.js';

export type SchemaDialect = 'draft-07' | '2019-09' | '2020-12';

export interface CompileOptions {
  /**
   * Convert scalar types where the schema asks for another ("5" -> 5), mutating the data. For the
   * regex fallback, whose values are all strings; never for JSON the model wrote.
   */
  coerceTypes?: boolean;
}

export interface CompiledSchema {
  readonly dialect: SchemaDialect;
  /** Readable error lines; empty when `data` is valid. */
  validate(data: unknown): string[];
}

/** Distinct schemas kept compiled; a worker sees a few dozen (one or two per template). */
const MAX_COMPILED_SCHEMAS = 256;

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module.
const addFormats = (addFormatsModule as unknown as { default: FormatsPlugin }).default;

const DIALECT_URIS: Record<string, SchemaDialect> = {
  'json-schema.org/draft-07/schema': 'draft-07',
  'json-schema.org/draft/2019-09/schema': '2019-09',
  'json-schema.org/draft/2020-12/schema': '2020-12',
};

export function schemaDialect(schema: JsonSchema): SchemaDialect {
  const declared = schema.$schema;
  if (declared === undefined) return 'draft-07';
  const key = typeof declared === 'string' ? declared.replace(/^https?:\/\//, '').replace(/#$/, '') : '';
  const dialect = DIALECT_URIS[key];
  if (!dialect) {
    throw new InvalidSchemaError(
      `Unsupported $schema ${JSON.stringify(declared)}: use draft-07 (the default), 2019-09 or 2020-12`,
    );
  }
  return dialect;
}

const AJV_OPTIONS: Options = {
  // All errors, not just the first: the model gets every problem to fix in one repair round.
  allErrors: true,
  // Puts the offending value on each error, so the messages can say what was found.
  verbose: true,
  // Strict about the schema itself, so a typo ("requried", an unknown format) is reported instead
  // of silently validating nothing; lenient about style choices ajv would otherwise reject.
  strict: true,
  strictTypes: false,
  strictTuples: false,
  allowUnionTypes: true,
};

const instances = new Map<string, Ajv>();

function ajvFor(dialect: SchemaDialect, coerceTypes: boolean): Ajv {
  const key = `${dialect}:${coerceTypes}`;
  let ajv = instances.get(key);
  if (!ajv) {
    const options: Options = { ...AJV_OPTIONS, coerceTypes };
    ajv =
      dialect === '2020-12'
        ? new Ajv2020(options)
        : dialect === '2019-09'
          ? new Ajv2019(options)
          : new Ajv(options);
    addFormats(ajv);
    // OpenAPI's `example` shows up in schemas copied from API specs; it is an annotation only.
    ajv.addKeyword('example');
    instances.set(key, ajv);
  }
  return ajv;
}

interface CacheEntry {
  compiled: CompiledSchema;
  ajv: Ajv;
  schema: JsonSchema;
}

const compiledSchemas = new LRUCache<string, CacheEntry>({
  max: MAX_COMPILED_SCHEMAS,
  // ajv keeps every compiled schema in its own registry: evict it there too, or memory grows.
  dispose: (entry) => entry.ajv.removeSchema(entry.schema),
});

/** JSON with object keys sorted, so equal schemas hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function compileUncached(schema: JsonSchema, coerceTypes: boolean): CacheEntry {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new InvalidSchemaError(
      `A JSON Schema must be an object, got ${Array.isArray(schema) ? 'array' : typeof schema}`,
    );
  }
  const dialect = schemaDialect(schema);
  const ajv = ajvFor(dialect, coerceTypes);
  // A changed schema may keep its $id (a new template version): the newer one replaces the old.
  if (typeof schema.$id === 'string') ajv.removeSchema(schema.$id);
  let validateFunction: ValidateFunction;
  try {
    validateFunction = ajv.compile(schema);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InvalidSchemaError(`Invalid JSON Schema: ${message}`, { details: { dialect } });
  }
  const compiled: CompiledSchema = {
    dialect,
    validate(data: unknown): string[] {
      if (validateFunction(data)) return [];
      return formatSchemaErrors(validateFunction.errors as ErrorObject[] | null | undefined);
    },
  };
  return { compiled, ajv, schema };
}

/**
 * The compiled validator for `schema`, compiled on first use. Throws InvalidSchemaError, with
 * ajv's explanation, when the schema itself is not valid for its dialect.
 */
export function compileSchema(schema: JsonSchema, options: CompileOptions = {}): CompiledSchema {
  const coerceTypes = options.coerceTypes ?? false;
  const key = `${coerceTypes ? 'coerce' : 'strict'}:${createHash('sha256').update(canonicalJson(schema)).digest('base64url')}`;
  let entry = compiledSchemas.get(key);
  if (!entry) {
    // Compile a private copy: ajv caches by object identity, and the caller may reuse its object.
    entry = compileUncached(structuredClone(schema), coerceTypes);
    compiledSchemas.set(key, entry);
  }
  return entry.compiled;
}

/** Validates `data` against `schema`; errors are readable lines, empty when valid. */
export function validateAgainstSchema(
  schema: JsonSchema,
  data: unknown,
): { valid: boolean; errors: string[] } {
  const errors = compileSchema(schema).validate(data);
  return { valid: errors.length === 0, errors };
}

/** How many schemas are compiled right now (tests and metrics). */
export function compiledSchemaCount(): number {
  return compiledSchemas.size;
}
