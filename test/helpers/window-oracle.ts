/**
 * The oracle for window answers: bases from the naive reader at reported coordinates,
 * reverse-complemented for '-', encoded as the issue defines ascii, codes and onehot.
 */
import { reverseComplement } from './naive-fasta.js';

export type Encoding = 'ascii' | 'codes' | 'onehot';

const codeOf = (c: string): number => ({ A: 0, C: 1, G: 2, T: 3 })[c.toUpperCase()] ?? 4;

/** The bases of [start, end) of `sequence` on `strand`. */
export function windowBases(sequence: string, start: number, end: number, strand: string): string {
  const forward = sequence.slice(start, end);
  return strand === '-' ? reverseComplement(forward) : forward;
}

/** Bases encoded, as the bytes the answer holds for one window. */
export function encode(bases: string, encoding: Encoding): Buffer {
  if (encoding === 'ascii') return Buffer.from(bases, 'latin1');
  const codes = Array.from(bases, codeOf);
  if (encoding === 'codes') return Buffer.from(codes);
  const out = Buffer.alloc(4 * codes.length);
  codes.forEach((c, k) => {
    if (c < 4) out[4 * k + c] = 1;
  });
  return out;
}
