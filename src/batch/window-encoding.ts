/**
 * How window bases become numbers for a model: `ascii` keeps the letters, `codes` gives
 * A=0 C=1 G=2 T=3 and 4 for N or any other letter (either case), `onehot` gives four bytes a
 * base in the order A, C, G, T, all zero for N and other letters.
 */
import { applyCaseMask, isAsStored, type CaseMask } from '../store/case-mask.js';
import { identity } from './base-bytes.js';

export type WindowEncoding = 'ascii' | 'codes' | 'onehot';

/** Bytes in the answer per base. */
export const bytesPerBase: Record<WindowEncoding, number> = { ascii: 1, codes: 1, onehot: 4 };

const codeOf = new Uint8Array(256).fill(4);
for (const [letters, code] of [
  ['Aa', 0],
  ['Cc', 1],
  ['Gg', 2],
  ['Tt', 3],
] as const) {
  for (const letter of letters) codeOf[letter.charCodeAt(0)] = code;
}

/**
 * The byte table a window goes through after its reverse complement: case/mask, then the
 * letter → code step for codes and onehot (so mask=hard makes soft-masked bases 4). undefined
 * when the bytes go out as stored.
 */
export function encodingTable(encoding: WindowEncoding, caseMask: CaseMask): Uint8Array | undefined {
  const letters = isAsStored(caseMask) ? undefined : applyCaseMask(identity, caseMask);
  if (encoding === 'ascii') return letters;
  const table = new Uint8Array(256);
  for (let c = 0; c < 256; c++) table[c] = codeOf[letters ? letters[c]! : c]!;
  return table;
}

/** Writes codes[from, from + n) as one-hot rows of 4 bytes into out at `at`. */
export function writeOneHot(codes: Uint8Array, from: number, n: number, out: Buffer, at: number): void {
  out.fill(0, at, at + 4 * n);
  for (let k = 0; k < n; k++) {
    const c = codes[from + k]!;
    if (c < 4) out[at + 4 * k + c] = 1;
  }
}
