/**
 * IUPAC-aware complement that keeps case: A<->T, C<->G, R<->Y, K<->M, B<->V, D<->H; S, W, N
 * are their own complements; U (RNA) pairs with A. Anything else (gaps, '*') is kept.
 */
const complement = new Uint8Array(256);
for (let c = 0; c < 256; c++) complement[c] = c;
const pairs = ['AT', 'CG', 'RY', 'KM', 'BV', 'DH', 'SS', 'WW', 'NN'];
for (const [a, b] of pairs) {
  for (const [x, y] of [
    [a!, b!],
    [b!, a!],
  ] as const) {
    complement[x.charCodeAt(0)] = y.charCodeAt(0);
    complement[x.toLowerCase().charCodeAt(0)] = y.toLowerCase().charCodeAt(0);
  }
}
complement['U'.charCodeAt(0)] = 'A'.charCodeAt(0);
complement['u'.charCodeAt(0)] = 'a'.charCodeAt(0);

/** Reverse-complements bytes in place. */
export function reverseComplementInPlace(bases: Buffer): Buffer {
  let i = 0;
  let j = bases.length - 1;
  while (i < j) {
    const a = bases[i]!;
    bases[i++] = complement[bases[j]!]!;
    bases[j--] = complement[a]!;
  }
  if (i === j) bases[i] = complement[bases[i]!]!;
  return bases;
}
