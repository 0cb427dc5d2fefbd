import { sha256Hex } from './hash.js';
import { stringForFormat } from './schemaStrings.js';

type JsonSchema = Record<string, unknown>;

interface BuildContext {
  root: unknown;
  /** A stable pseudo-random offset per field name, derived from the seed. */
  offset: (hint: string) => number;
}

/** Beyond this depth only required properties and minItems are produced, so recursive $refs end. */
const MAX_DEPTH = 6;

/**
 * Builds a value that validates against a JSON schema. Supports the subset that structured-output
 * and tool schemas use in practice; the same schema and seed always give the same value.
 */
export function schemaInstance(schema: unknown, seed = 'emulator'): unknown {
  const offset = (hint: string): number =>
    Number.parseInt(sha256Hex(`schema:${seed}:${hint}`).slice(0, 8), 16);
  return build(schema, { root: schema, offset }, 'value', 0, 0);
}

function build(schema: unknown, ctx: BuildContext, hint: string, variant: number, depth: number): unknown {
  if (depth > 64) throw new Error('schemaInstance: schema recursion has no finite instance');
  if (schema === false) return null;
  if (schema === true || schema === null || typeof schema !== 'object') return `${hint} ${variant + 1}`;
  const s = schema as JsonSchema;
  if (typeof s.$ref === 'string') return build(resolveRef(ctx.root, s.$ref), ctx, hint, variant, depth + 1);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[variant % s.enum.length];
  if (Array.isArray(s.allOf) && s.allOf.length > 0) {
    return build(mergeAllOf(s, ctx.root), ctx, hint, variant, depth);
  }
  const branches = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
  if (branches && branches.length > 0) return build(pickBranch(branches), ctx, hint, variant, depth);

  switch (schemaType(s)) {
    case 'object':
      return buildObject(s, ctx, depth);
    case 'array':
      return buildArray(s, ctx, hint, depth);
    case 'integer':
      return buildNumber(s, ctx, hint, variant, true);
    case 'number':
      return buildNumber(s, ctx, hint, variant, false);
    case 'boolean':
      return variant % 2 === 0;
    case 'null':
      return null;
    default:
      return buildString(s, hint, variant);
  }
}

function resolveRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) throw new Error(`schemaInstance: only local $ref is supported, got ${ref}`);
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = node !== null && typeof node === 'object' ? (node as JsonSchema)[key] : undefined;
  }
  if (node === undefined) throw new Error(`schemaInstance: unresolved $ref ${ref}`);
  return node;
}

/** Folds allOf members into one schema (properties and required merged), enough for typical use. */
function mergeAllOf(s: JsonSchema, root: unknown): JsonSchema {
  const { allOf, ...rest } = s;
  const merged: JsonSchema = { ...rest };
  for (const member of allOf as unknown[]) {
    const part = deref(member, root);
    const properties = { ...(merged.properties as object), ...(part.properties as object) };
    const required = [...asStrings(merged.required), ...asStrings(part.required)];
    Object.assign(merged, part, { properties, required });
  }
  return merged;
}

function deref(schema: unknown, root: unknown): JsonSchema {
  let node = schema;
  for (let i = 0; i < 20 && node !== null && typeof node === 'object' && '$ref' in node; i++) {
    node = resolveRef(root, String((node as JsonSchema).$ref));
  }
  return node !== null && typeof node === 'object' ? (node as JsonSchema) : {};
}

/** "Pick first", except that a null branch is skipped so nullable fields still carry content. */
function pickBranch(branches: unknown[]): unknown {
  return (
    branches.find((b) => !(b !== null && typeof b === 'object' && (b as JsonSchema).type === 'null')) ??
    branches[0]
  );
}

function schemaType(s: JsonSchema): string {
  const t = s.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return (t.find((x) => x !== 'null') as string | undefined) ?? 'null';
  if (s.properties || s.required || s.additionalProperties !== undefined) return 'object';
  if (s.items || s.prefixItems) return 'array';
  if (s.minimum !== undefined || s.maximum !== undefined) return 'number';
  return 'string';
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function buildObject(s: JsonSchema, ctx: BuildContext, depth: number): Record<string, unknown> {
  const properties = (s.properties ?? {}) as Record<string, unknown>;
  const required = asStrings(s.required);
  const names = depth < MAX_DEPTH ? [...new Set([...Object.keys(properties), ...required])] : required;
  const out: Record<string, unknown> = {};
  for (const name of names) {
    out[name] = build(properties[name] ?? {}, ctx, name, 0, depth + 1);
  }
  // Fill up to minProperties with extra keys when the schema allows them.
  const minProperties = typeof s.minProperties === 'number' ? s.minProperties : 0;
  const extraSchema = s.additionalProperties === undefined ? {} : s.additionalProperties;
  for (let i = 0; Object.keys(out).length < minProperties && extraSchema !== false; i++) {
    out[`extra_${i + 1}`] = build(extraSchema, ctx, `extra ${i + 1}`, i, depth + 1);
  }
  return out;
}

function buildArray(s: JsonSchema, ctx: BuildContext, hint: string, depth: number): unknown[] {
  const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : [];
  const itemSchema = Array.isArray(s.items) ? (s.additionalItems ?? {}) : (s.items ?? {});
  const minItems = typeof s.minItems === 'number' ? s.minItems : 0;
  let maxItems = typeof s.maxItems === 'number' ? s.maxItems : Number.POSITIVE_INFINITY;
  if (itemSchema === false) maxItems = Math.min(maxItems, prefix.length);
  // Unique enum items cannot outnumber the enum itself.
  const enumValues = deref(itemSchema, ctx.root).enum;
  if (s.uniqueItems === true && Array.isArray(enumValues)) maxItems = Math.min(maxItems, enumValues.length);
  const preferred = depth < MAX_DEPTH ? Math.max(2, prefix.length) : 0;
  const count = Math.min(Math.max(minItems, preferred), maxItems);
  const itemHint = hint.endsWith('s') && hint.length > 1 ? hint.slice(0, -1) : `${hint} item`;
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) out.push(build(prefix[i] ?? itemSchema, ctx, itemHint, i, depth + 1));
  return out;
}

function buildNumber(
  s: JsonSchema,
  ctx: BuildContext,
  hint: string,
  variant: number,
  integer: boolean,
): number {
  // Draft 4 uses boolean exclusiveMinimum/Maximum next to minimum/maximum; later drafts use numbers.
  let lo = typeof s.minimum === 'number' ? s.minimum : Number.NEGATIVE_INFINITY;
  let hi = typeof s.maximum === 'number' ? s.maximum : Number.POSITIVE_INFINITY;
  const step = integer ? 1 : 0.01;
  if (typeof s.exclusiveMinimum === 'number') lo = Math.max(lo, s.exclusiveMinimum + step);
  else if (s.exclusiveMinimum === true) lo += step;
  if (typeof s.exclusiveMaximum === 'number') hi = Math.min(hi, s.exclusiveMaximum - step);
  else if (s.exclusiveMaximum === true) hi -= step;
  if (!Number.isFinite(lo)) lo = Number.isFinite(hi) ? Math.min(0, hi - 100) : 0;
  if (!Number.isFinite(hi)) hi = lo + 100;
  // The offset depends on the field, the variant on the position, so array items stay distinct.
  const offset = ctx.offset(hint);
  const multipleOf =
    typeof s.multipleOf === 'number' && s.multipleOf > 0 ? s.multipleOf : integer ? 1 : undefined;
  if (multipleOf) {
    const first = Math.ceil(lo / multipleOf);
    const last = Math.floor(hi / multipleOf);
    const span = Math.max(1, Math.min(last - first + 1, 50));
    const k = ((offset + variant) % span) + first;
    return Number((k * multipleOf).toPrecision(12));
  }
  const fraction = (((offset % 97) + variant * 13) % 97) / 100 + 0.01;
  const value = Math.round((lo + (hi - lo) * fraction) * 100) / 100;
  return Math.min(hi, Math.max(lo, value));
}

function buildString(s: JsonSchema, hint: string, variant: number): string {
  const formatted =
    typeof s.format === 'string' ? stringForFormat(s.format, `${hint}:${variant}`, variant) : undefined;
  let text = formatted ?? `${hint.replace(/_/g, ' ')} ${variant + 1}`;
  if (typeof s.pattern === 'string') text = satisfyPattern(s.pattern, text, variant);
  const minLength = typeof s.minLength === 'number' ? s.minLength : 0;
  const maxLength = typeof s.maxLength === 'number' ? s.maxLength : Number.POSITIVE_INFINITY;
  while ([...text].length < minLength) text += ` ${sha256Hex(text).slice(0, 8)}`;
  return [...text].slice(0, Math.max(minLength, Math.min(maxLength, [...text].length))).join('');
}

/** Patterns cannot be inverted in general; try the natural value and a few common shapes. */
function satisfyPattern(pattern: string, natural: string, variant: number): string {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'u');
  } catch {
    return natural;
  }
  const n = String(variant + 1);
  const candidates = [
    natural,
    n,
    `a${n}`,
    `A${n}`,
    `abc${n}`,
    `ABC-${n}`,
    `item-${n}`,
    `${n}${n}${n}`,
    'abc',
  ];
  return candidates.find((c) => regex.test(c)) ?? natural;
}
