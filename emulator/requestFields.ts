/** Small readers for untrusted JSON request bodies. */
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Thrown while parsing a request the real API would reject with a 400. */
export class InvalidRequest extends Error {
  constructor(
    message: string,
    readonly param?: string,
    /** OpenAI's error code (invalid_value, invalid_type…); Anthropic has none. */
    readonly code?: string,
  ) {
    super(message);
  }
}

export function positiveInteger(value: unknown, param: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidRequest(`Invalid '${param}': expected an integer greater than or equal to 1.`, param);
  }
  return value;
}

/** Only the sampling fields that would change a real model's wording take part in the reply seed. */
export function samplingOf(body: Json, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) if (body[name] !== undefined && body[name] !== null) out[name] = body[name];
  return out;
}

export interface Invalid {
  message: string;
  param?: string;
  code?: string;
}

/** Runs a parser, turning InvalidRequest into a value so the call can still be logged and answered 400. */
export function tryParse<T>(
  parse: () => T,
): { value: T; invalid?: undefined } | { value?: undefined; invalid: Invalid } {
  try {
    return { value: parse() };
  } catch (error) {
    if (!(error instanceof InvalidRequest)) throw error;
    return { invalid: { message: error.message, param: error.param, code: error.code } };
  }
}

/** The model name as far as it can be read, for the call log even when the body is invalid. */
export function modelOf(body: unknown): string {
  return isObject(body) && typeof body.model === 'string' ? body.model : '';
}
