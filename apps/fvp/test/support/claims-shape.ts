/**
 * The shape of a CCA token's claims, to compare backends: each claim's token, key, title and the
 * type of its value (with the length of bytes and lists), never the values themselves.
 * @module
 */
import { parseClaims } from '@islet/sdk';

/** One line per claim: `realm 44238 Realm initial measurement bytes[32]`. */
export function claimsShape(token: Uint8Array): string[] {
  return parseClaims(token).list.map((c) => [c.token, c.key, c.title, kindOf(c.value)].join(' '));
}

/** A claim value's shape: its type, and its length for bytes and lists. */
function kindOf(v: unknown): string {
  if (v instanceof Uint8Array) return `bytes[${v.length}]`;
  if (Array.isArray(v)) return `list[${v.length}]`;
  return typeof v;
}
