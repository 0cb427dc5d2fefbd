// Last resort for schema output when the answer holds no usable JSON: read each top-level property
// from the prose, as the seed's `_regex_extract` did. A property's own `pattern` is used when it has
// a capture group; otherwise a `name: value` line. Values are strings; the caller coerces them to
// the schema's types and decides whether the result is good enough.
import type { JsonSchema } from '../../common/request.js';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles a schema `pattern` (ECMA-262, Unicode-aware when it can be); undefined when invalid. */
function compilePattern(source: string): RegExp | undefined {
  for (const flags of ['u', '']) {
    try {
      return new RegExp(source, flags);
    } catch {
      // try the next flags
    }
  }
  return undefined;
}

/** The property's `pattern` when it has a capture group: a pattern without one validates a whole
 * value but cannot say which part of the prose is the value. */
function capturingPattern(details: unknown): RegExp | undefined {
  const source = (details as { pattern?: unknown } | null)?.pattern;
  if (typeof source !== 'string') return undefined;
  const regexp = compilePattern(source);
  // `(?:pattern)|` matches the empty string, so exec returns one slot per capture group.
  const groups = (compilePattern(`(?:${source})|`)?.exec('')?.length ?? 1) - 1;
  return regexp && groups > 0 ? regexp : undefined;
}

/** Strips what surrounds a value written as in broken JSON or YAML: quotes and a trailing comma. */
function cleanValue(raw: string): string {
  let value = raw.trim().replace(/,$/, '').trim();
  if (value.length >= 2 && /^(["'`]).*\1$/.test(value)) value = value.slice(1, -1);
  return value;
}

export function regexExtract(text: string, schema: JsonSchema): Record<string, string> {
  const result: Record<string, string> = {};
  const properties = schema.properties;
  if (properties === null || typeof properties !== 'object') return result;
  for (const [name, details] of Object.entries(properties as Record<string, unknown>)) {
    // Assigning "__proto__" would change the result's prototype instead of adding a property.
    if (name === '__proto__') continue;
    const pattern = capturingPattern(details);
    if (pattern) {
      const captured = pattern.exec(text)?.[1];
      if (captured !== undefined) {
        result[name] = captured;
        continue;
      }
    }
    // `name: value` or `"name": value` to the end of the line, any case; \b keeps "rename:" out.
    const line = new RegExp(`\\b${escapeRegExp(name)}\\b["'\`*]*[:\\s]+(.*?)(?:\\n|$)`, 'iu').exec(text);
    const value = line?.[1] === undefined ? '' : cleanValue(line[1]);
    if (value !== '') result[name] = value;
  }
  return result;
}
