// The reference syntax of pipeline definitions: `${input.requirement}`, `${steps.analyse.output.tasks}`,
// `${item.title}`, `${steps.implement.output[0]}`, `${steps.implement.output | join: "\n"}`. No eval:
// a reference is a dotted path with array indices and at most one `join`. Values that live in the blob
// store stay lazy (a pointer, or text still to be assembled) until the step child loads them, so the
// pipeline's own history never holds them. Pure: used by the pipeline, its step child and the loader.
import type { JsonValue } from '../request.js';

export type Segment = string | number;

export interface Reference {
  /** The text between `${` and `}`, for messages. */
  source: string;
  path: Segment[];
  /** Present when the reference ends in `| join`: the separator. */
  join?: string;
}

export type Part = string | Reference;

/** A definition's reference that does not parse, or a value it does not find. */
export class ExpressionError extends Error {
  override name = 'ExpressionError';
}

/** A value kept in the blob store, or a path inside one. */
export interface BlobPointer {
  $ref: string;
  $path?: Segment[];
}

export const DEFAULT_JOIN_SEPARATOR = '\n\n';
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const DIGITS = /[0-9]+/y;

/** Splits a string into literal text and references; `$${` is a literal `${`. */
export function parseParts(text: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      literal += '${';
      i += 3;
    } else if (text.startsWith('${', i)) {
      if (literal) parts.push(literal);
      literal = '';
      const { reference, end } = parseReference(text, i + 2);
      parts.push(reference);
      i = end;
    } else {
      literal += text[i];
      i++;
    }
  }
  if (literal) parts.push(literal);
  return parts;
}

/** The reference a string consists of, when it is exactly one `${...}`. */
export function wholeReference(text: string): Reference | undefined {
  const parts = parseParts(text);
  const [only] = parts;
  return parts.length === 1 && typeof only !== 'string' ? only : undefined;
}

function parseReference(text: string, start: number): { reference: Reference; end: number } {
  let i = start;
  const fail = (what: string): never => {
    throw new ExpressionError(`"${text}": ${what} at character ${i + 1}`);
  };
  const skipSpaces = (): void => {
    while (text[i] === ' ') i++;
  };
  const match = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = i;
    const found = pattern.exec(text)?.[0];
    if (found !== undefined) i += found.length;
    return found;
  };
  skipSpaces();
  const path: Segment[] = [match(NAME) ?? fail('expected a name after ${')];
  for (;;) {
    if (text[i] === '.') {
      i++;
      path.push(match(NAME) ?? fail('expected a field name after "."'));
    } else if (text[i] === '[') {
      i++;
      const digits = match(DIGITS) ?? fail('expected an array index in [ ]');
      if (text[i] !== ']') fail('expected "]"');
      i++;
      path.push(Number(digits));
    } else break;
  }
  skipSpaces();
  let join: string | undefined;
  if (text[i] === '|') {
    i++;
    skipSpaces();
    if (match(/join/y) === undefined) fail('the only filter is "join"');
    skipSpaces();
    join = DEFAULT_JOIN_SEPARATOR;
    if (text[i] === ':') {
      i++;
      skipSpaces();
      if (text[i] !== '"') fail('expected a "quoted" separator after "join:"');
      const { value, end } = readJsonString(text, i);
      if (value === undefined) fail('the separator is not a valid "quoted" string');
      join = value;
      i = end;
      skipSpaces();
    }
  }
  if (text[i] !== '}') fail(i >= text.length ? 'missing "}"' : `unexpected "${text[i]}"`);
  const reference: Reference = { source: text.slice(start, i).trim(), path };
  if (join !== undefined) reference.join = join;
  return { reference, end: i + 1 };
}

function readJsonString(text: string, start: number): { value?: string; end: number } {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  try {
    return { value: JSON.parse(text.slice(start, i + 1)) as string, end: i + 1 };
  } catch {
    return { end: i + 1 };
  }
}

/** Every reference in a JSON value's strings. */
export function referencesIn(value: JsonValue): Reference[] {
  if (typeof value === 'string')
    return parseParts(value).filter((p): p is Reference => typeof p !== 'string');
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(referencesIn);
  return [];
}

export function describePath(path: readonly Segment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

// --- lazy values -------------------------------------------------------------------------------

export function isBlobPointer(value: unknown): value is BlobPointer {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.$ref === 'string' &&
    v.$ref.startsWith('blob:') &&
    Object.keys(v).every((k) => k === '$ref' || k === '$path')
  );
}

interface LazyConcat {
  $concat: JsonValue[];
}
interface LazyJoin {
  $join: JsonValue;
  $separator: string;
}

const hasExactKeys = (value: unknown, keys: string[]): boolean =>
  value !== null &&
  typeof value === 'object' &&
  !Array.isArray(value) &&
  Object.keys(value).sort().join() === keys.join();

function isLazyConcat(value: unknown): value is LazyConcat {
  return hasExactKeys(value, ['$concat']) && Array.isArray((value as LazyConcat).$concat);
}
function isLazyJoin(value: unknown): value is LazyJoin {
  return hasExactKeys(value, ['$join', '$separator']) && typeof (value as LazyJoin).$separator === 'string';
}

/** Whether a value still holds a blob pointer somewhere. */
export function containsBlobPointer(value: JsonValue): boolean {
  return blobRefsIn(value).length > 0;
}

/** The distinct blob refs a value points into. */
export function blobRefsIn(value: JsonValue): string[] {
  const found = new Set<string>();
  const visit = (v: JsonValue): void => {
    if (isBlobPointer(v)) found.add(v.$ref);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(value);
  return [...found];
}

// --- resolving ---------------------------------------------------------------------------------

export type Lookup = { found: true; value: JsonValue } | { found: false; reason: string };

/**
 * Follows a path from a value. Reaching a blob pointer with path left over gives a pointer further
 * into that blob: what is inside is not known here.
 */
export function lookup(root: JsonValue | undefined, path: readonly Segment[]): Lookup {
  let current: JsonValue | undefined = root;
  for (const [i, segment] of path.entries()) {
    if (isBlobPointer(current)) {
      return {
        found: true,
        value: { $ref: current.$ref, $path: [...(current.$path ?? []), ...path.slice(i)] },
      };
    }
    const at = describePath(path.slice(0, i)) || 'the value';
    if (typeof segment === 'number') {
      if (!Array.isArray(current))
        return { found: false, reason: `${at} is ${kindOf(current)}, not an array` };
      if (segment >= current.length)
        return { found: false, reason: `${at} has ${current.length} element(s), no [${segment}]` };
      current = current[segment];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current))
        return { found: false, reason: `${at} is ${kindOf(current)}, which has no field "${segment}"` };
      if (!Object.hasOwn(current, segment)) {
        const known = Object.keys(current).slice(0, 10).join(', ');
        return { found: false, reason: `${at} has no field "${segment}" (it has: ${known || 'no fields'})` };
      }
      current = current[segment];
    }
  }
  return current === undefined ? { found: false, reason: 'no value' } : { found: true, value: current };
}

function kindOf(value: JsonValue | undefined): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A value as it is inserted into text: strings as they are, null as nothing, the rest as JSON. */
export function textOf(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value, null, 2);
}

function joinText(value: JsonValue, separator: string, source: string): string {
  if (!Array.isArray(value))
    throw new ExpressionError(`\${${source}}: "join" needs an array, got ${kindOf(value)}`);
  return value
    .filter((v) => v !== null)
    .map(textOf)
    .join(separator);
}

function resolveReference(reference: Reference, scope: JsonValue): JsonValue {
  const found = lookup(scope, reference.path);
  if (!found.found) throw new ExpressionError(`\${${reference.source}} refers to nothing: ${found.reason}`);
  if (reference.join === undefined) return found.value;
  if (containsBlobPointer(found.value)) return { $join: found.value, $separator: reference.join };
  return joinText(found.value, reference.join, reference.source);
}

/**
 * Replaces every reference in a definition value with what it refers to in `scope` (an object with
 * `input`, `steps`, `item`, `index`). Values inside blobs stay lazy; `materialize` finishes them.
 */
export function bind(value: JsonValue, scope: JsonValue): JsonValue {
  if (typeof value === 'string') {
    const parts = parseParts(value);
    const [only] = parts;
    if (parts.length === 1 && only !== undefined && typeof only !== 'string')
      return resolveReference(only, scope);
    const resolved = parts.map((p) => (typeof p === 'string' ? p : resolveReference(p, scope)));
    if (!resolved.some(containsBlobPointer)) return resolved.map(textOf).join('');
    return { $concat: resolved.map((r) => (containsBlobPointer(r) ? r : textOf(r))) };
  }
  if (Array.isArray(value)) return value.map((v) => bind(v, scope));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bind(v, scope)]));
  }
  return value;
}

/** Finishes a bound value with the blobs it points into (loaded by the caller, keyed by ref). */
export function materialize(value: JsonValue, blobs: ReadonlyMap<string, JsonValue>): JsonValue {
  if (isBlobPointer(value)) {
    const blob = blobs.get(value.$ref);
    if (blob === undefined) throw new ExpressionError(`blob ${value.$ref} was not loaded`);
    const found = lookup(blob, value.$path ?? []);
    if (!found.found) {
      const at = describePath(value.$path ?? []) || 'its top';
      throw new ExpressionError(`blob ${value.$ref} at ${at}: ${found.reason}`);
    }
    return found.value;
  }
  if (isLazyConcat(value)) return value.$concat.map((part) => textOf(materialize(part, blobs))).join('');
  if (isLazyJoin(value)) return joinText(materialize(value.$join, blobs), value.$separator, 'join');
  if (Array.isArray(value)) return value.map((v) => materialize(v, blobs));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, materialize(v, blobs)]));
  }
  return value;
}

/** Bytes of a value's JSON in UTF-8 (no Buffer in workflow code). */
export function jsonBytes(value: JsonValue): number {
  const text = JSON.stringify(value) ?? 'null';
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
