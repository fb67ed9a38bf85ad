/**
 * Byte-level work on bases already in an output buffer: the reverse complement and case/mask
 * table applied in place, and the check that a run can go into a JSON string as is.
 */
import { reverseComplementInPlace } from '../store/reverse-complement.js';

/** Bytes that may not appear raw in a JSON string (and non-ASCII, which would not be UTF-8). */
const jsonUnsafe = new Uint8Array(256);
for (let c = 0; c < 256; c++) jsonUnsafe[c] = c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80 ? 1 : 0;

/** The 256 byte values in order: what a case/mask table is built from. */
export const identity = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

/** complement[c]: read off the reverse complement of the 256 byte values (byte 255 - c of it). */
const complement = (() => {
  const rc = reverseComplementInPlace(Buffer.from(identity));
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = rc[255 - c]!;
  return t;
})();

/**
 * Copies src[from, to) to dst at `at`: a byte loop for short runs, a bulk set for long ones.
 * Why: a bulk copy's per-call cost (BENCHMARKS.md#code-choices-and-their-measurements).
 */
export function copyBytes(src: Uint8Array, from: number, to: number, dst: Buffer, at: number): void {
  if (to - from > 256) {
    dst.set(src.subarray(from, to), at);
    return;
  }
  for (let k = from; k < to; k++) dst[at++] = src[k]!;
}

/** Writes table[src[k]] for k in [from, to) to dst at `at` (dst may be src at the same place). */
export function mapBytes(src: Uint8Array, from: number, to: number, dst: Buffer, at: number, table: Uint8Array): void {
  for (let k = from; k < to; k++) dst[at++] = table[src[k]!]!;
}

/** table[complement[c]]: reverse-complements and encodes in one lookup. */
export function afterComplement(table: Uint8Array | undefined): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = table ? table[complement[c]!]! : complement[c]!;
  return t;
}

/** Reverses buf[pos, pos + n) in place, each byte mapped through `table`. */
export function reverseThrough(buf: Buffer, pos: number, n: number, table: Uint8Array): void {
  let i = pos;
  let j = pos + n - 1;
  while (i < j) {
    const a = buf[i]!;
    buf[i++] = table[buf[j]!]!;
    buf[j--] = table[a]!;
  }
  if (i === j) buf[i] = table[buf[i]!]!;
}

/** Reverse-complements buf[pos, pos + n) when `reverse`, then maps it through `table` if any. */
export function transform(buf: Buffer, pos: number, n: number, reverse: boolean, table: Uint8Array | undefined): void {
  if (reverse) reverseThrough(buf, pos, n, complement);
  if (table) mapBytes(buf, pos, pos + n, buf, pos, table);
}

export function jsonSafe(buf: Buffer, from: number, to: number): boolean {
  for (let j = from; j < to; j++) if (jsonUnsafe[buf[j]!] === 1) return false;
  return true;
}
