// `--var key=value` as the CLI takes it: JSON when the value parses as JSON (numbers, arrays,
// objects, true/false), a plain string otherwise.
import type { JsonValue } from '../common/request.js';

export function parseVar(pair: string, into: Record<string, JsonValue> = {}): Record<string, JsonValue> {
  const equals = pair.indexOf('=');
  if (equals <= 0) throw new Error(`--var expects key=value, got "${pair}"`);
  const key = pair.slice(0, equals);
  const raw = pair.slice(equals + 1);
  let value: JsonValue = raw;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'string') value = parsed as JsonValue;
  } catch {
    // not JSON: keep the string as typed
  }
  into[key] = value;
  return into;
}

/** Splits `id@version` into its parts. */
export function parseTemplateRef(ref: string): { templateId: string; templateVersion?: string } {
  const at = ref.lastIndexOf('@');
  if (at <= 0) return { templateId: ref };
  return { templateId: ref.slice(0, at), templateVersion: ref.slice(at + 1) };
}
