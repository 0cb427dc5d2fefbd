// Template versions are dotted numbers compared segment by segment, so 1.10 comes after 1.9.

export const VERSION_PATTERN = '^[0-9]+(\\.[0-9]+)*$';

const versionRegex = new RegExp(VERSION_PATTERN);

export function isVersion(text: string): boolean {
  return versionRegex.test(text);
}

/** Negative when a < b, positive when a > b, 0 when equal (missing segments count as 0: 1 == 1.0). */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
