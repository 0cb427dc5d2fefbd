// Carries the named fields of a value to the next hop as they are, leaving out the ones it does not
// have: one line instead of a hand-copied field per line, and no `undefined` keys in payloads.

/** The listed fields of `value` that are set, with their types. */
export function pickDefined<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  const picked = {} as Pick<T, K>;
  for (const key of keys) if (value[key] !== undefined) picked[key] = value[key];
  return picked;
}
