/**
 * RFC 8785 JSON canonicalization (JCS) for the values seqcol digests: strings, safe integers,
 * arrays and objects. JCS serializes strings and numbers exactly as ECMAScript's JSON.stringify
 * does and sorts object keys by UTF-16 code units, which is JavaScript's default string order.
 */
import { hash } from 'node:crypto';

export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

export function canonicalJson(value: Json): string {
  return JSON.stringify(sortedKeys(value));
}

/** The value with every object's keys in sorted order; JSON.stringify then writes the rest as JCS does. */
function sortedKeys(value: Json): Json {
  if (Array.isArray(value)) return (value as readonly Json[]).map(sortedKeys);
  if (value !== null && typeof value === 'object') {
    const object = value as { readonly [key: string]: Json };
    const sorted: Record<string, Json> = {};
    for (const k of Object.keys(object).sort()) sorted[k] = sortedKeys(object[k]!);
    return sorted;
  }
  // Seqcol holds integers only; a float would need RFC 8785's number rules, a NaN is not JSON.
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`seqcol values are integers, not ${value}`);
  return value;
}

/** The GA4GH digest (sha512t24u): SHA-512, the first 24 bytes, base64url (32 characters). */
export function sha512t24u(text: string): string {
  // The one-shot hash: a 50,000-contig assembly digests 50,000 name-length pairs.
  return hash('sha512', text, 'buffer').subarray(0, 24).toString('base64url');
}

/** The digest of a value's canonical JSON: how seqcol turns a level-2 attribute into level 1, and level 1 into level 0. */
export function digestJson(value: Json): string {
  return sha512t24u(canonicalJson(value));
}
