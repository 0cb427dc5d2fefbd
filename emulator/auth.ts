import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorKind } from './errorKinds.js';

/** Any non-empty key passes unless the emulator was started with a list of accepted keys. */
export type KeyPolicy = ReadonlySet<string> | null;

function bearer(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(\S.*)$/i.exec(headers.authorization ?? '');
  return match?.[1]?.trim();
}

function check(key: string | undefined, policy: KeyPolicy): ErrorKind | undefined {
  if (!key) return 'auth_missing';
  if (policy && !policy.has(key)) return 'auth_invalid';
  return undefined;
}

/** OpenAI: "Authorization: Bearer <key>". */
export function openaiAuthError(headers: IncomingHttpHeaders, policy: KeyPolicy): ErrorKind | undefined {
  return check(bearer(headers), policy);
}

/** Anthropic: "x-api-key: <key>", or a bearer token as the SDK's authToken option sends. */
export function anthropicAuthError(headers: IncomingHttpHeaders, policy: KeyPolicy): ErrorKind | undefined {
  const apiKey = headers['x-api-key'];
  return check((typeof apiKey === 'string' && apiKey.trim()) || bearer(headers), policy);
}

/** Requests carrying Anthropic's headers are answered in Anthropic's format on shared paths. */
export function looksAnthropic(headers: IncomingHttpHeaders): boolean {
  return headers['x-api-key'] !== undefined || headers['anthropic-version'] !== undefined;
}
