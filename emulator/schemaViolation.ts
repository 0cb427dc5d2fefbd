// Schema-invalid tool arguments on purpose.
/**
 * Breaks a schema-valid object in one visible way, for the control that makes tool calls carry
 * invalid arguments: drop the first required property; failing that, give the first typed property a
 * value of the wrong type; failing that, add a property a closed schema forbids.
 */
export function violateSchema(schema: unknown, value: unknown): { value: unknown; violated: boolean } {
  if (!isRecord(schema) || !isRecord(value)) return { value, violated: false };
  const out: Record<string, unknown> = { ...value };
  const required = Array.isArray(schema.required)
    ? schema.required.filter((r): r is string => typeof r === 'string')
    : [];
  const first = required[0];
  if (first !== undefined) {
    delete out[first];
    return { value: out, violated: true };
  }
  const properties = isRecord(schema.properties) ? schema.properties : {};
  for (const [name, property] of Object.entries(properties)) {
    const wrong = wrongTypeValue(property);
    if (wrong !== undefined) {
      out[name] = wrong.value;
      return { value: out, violated: true };
    }
  }
  if (schema.additionalProperties === false) {
    out.unexpected_property = true;
    return { value: out, violated: true };
  }
  return { value, violated: false };
}

const CANDIDATES: readonly [string, unknown][] = [
  ['string', 'not a valid value'],
  ['number', 12345],
  ['boolean', true],
  ['array', []],
  ['object', {}],
];

/** A value of a JSON type the property does not allow; undefined when it names no type. */
function wrongTypeValue(property: unknown): { value: unknown } | undefined {
  if (!isRecord(property)) return undefined;
  const t = property.type;
  const types = typeof t === 'string' ? [t] : Array.isArray(t) ? t.filter((x) => typeof x === 'string') : [];
  if (types.length === 0) return undefined;
  const allows = (type: string): boolean =>
    types.includes(type) || (type === 'number' && types.includes('integer'));
  const found = CANDIDATES.find(([type]) => !allows(type));
  return found ? { value: found[1] } : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
