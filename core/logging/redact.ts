// Masks secrets and personal data in text before it is logged, then cuts it to a maximum length.
// Only prompts and responses go through here, and only when LOG_PROMPTS asks for them. Every pattern
// starts at a boundary its match cannot extend past, so a long prompt costs linear time, not quadratic.

/** A pattern and what replaces each match; documented in README ("Logging and tracing"). */
interface Redaction {
  name: string;
  pattern: RegExp;
  replacement: string;
}

export const REDACTIONS: readonly Redaction[] = [
  // "Authorization: Bearer …" / "Basic …" values, whatever the token looks like.
  { name: 'bearer', pattern: /\b(Bearer|Basic)\s+[\w.~+/=-]+/gi, replacement: '$1 [REDACTED]' },
  // key = value / "key": "value" pairs whose key says it is a secret.
  {
    name: 'secret-assignment',
    pattern:
      /\b((?:api[_-]?key|apikey|secret(?:[_-]?key)?|access[_-]?key|client[_-]?secret|password|passwd|token|auth[_-]?token)["']?\s*[:=]\s*["']?)[^\s"',;}]+/gi,
    replacement: '$1[REDACTED]',
  },
  // Provider keys by their published prefixes: OpenAI/Anthropic (sk-, sk-proj-, sk-ant-), AWS access
  // key ids, GitHub, Slack and Google API keys; JSON Web Tokens.
  { name: 'api-key', pattern: /(?<![\w-])(?:sk|pk|rk)-[\w-]{16,}/g, replacement: '[API_KEY]' },
  { name: 'aws-key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, replacement: '[API_KEY]' },
  { name: 'github-token', pattern: /\bgh[pousr]_[A-Za-z0-9]{20,}/g, replacement: '[API_KEY]' },
  { name: 'slack-token', pattern: /\bxox[abprs]-[\w-]{10,}/g, replacement: '[API_KEY]' },
  { name: 'google-key', pattern: /\bAIza[\w-]{35}/g, replacement: '[API_KEY]' },
  { name: 'jwt', pattern: /\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, replacement: '[JWT]' },
  {
    name: 'email',
    pattern: /(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
    replacement: '[EMAIL]',
  },
  // 9 or more digits, optionally grouped by single spaces or dashes: card, account, phone and
  // national id numbers. (Shorter numbers — years, counts, prices — stay readable.)
  { name: 'long-number', pattern: /(?<!\d)\d(?:[ -]?\d){8,}(?!\d)/g, replacement: '[NUMBER]' },
];

/** The text with every REDACTIONS match masked. */
export function redact(text: string): string {
  let out = text;
  for (const { pattern, replacement } of REDACTIONS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Redacted, then cut to `maxChars` with a note of how much was cut. Redaction runs on the whole
 * text first so that a secret straddling the cut is never left half-visible.
 */
export function redactForLog(text: string, maxChars: number): string {
  const masked = redact(text);
  if (masked.length <= maxChars) return masked;
  return `${masked.slice(0, maxChars)}… [${masked.length - maxChars} more chars]`;
}
