import { sha256Hex } from './hash.js';

/** Values for the string formats that schemas commonly use; undefined for formats we do not know. */
export function stringForFormat(format: string, seed: string, variant: number): string | undefined {
  const day = String((variant % 28) + 1).padStart(2, '0');
  const n = variant + 1;
  switch (format) {
    case 'date-time':
      return `2024-01-${day}T12:00:00Z`;
    case 'date':
      return `2024-01-${day}`;
    case 'time':
      return `12:${String(variant % 60).padStart(2, '0')}:00Z`;
    case 'duration':
      return `P${n}D`;
    case 'email':
    case 'idn-email':
      return `user${n}@example.com`;
    case 'uri':
    case 'url':
    case 'iri':
      return `https://example.com/items/${n}`;
    case 'uri-reference':
    case 'iri-reference':
      return `/items/${n}`;
    case 'hostname':
    case 'idn-hostname':
      return `host${n}.example.com`;
    case 'ipv4':
      return `192.0.2.${n % 255}`;
    case 'ipv6':
      return `2001:db8::${n.toString(16)}`;
    case 'uuid':
      return uuidFrom(seed);
    default:
      return undefined;
  }
}

/** A version-4-shaped UUID derived from a seed. */
export function uuidFrom(seed: string): string {
  const h = sha256Hex(seed);
  const variantNibble = ((Number.parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variantNibble}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
