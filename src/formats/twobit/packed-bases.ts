/**
 * The 2-bit packing of .2bit files: four bases per byte, the first base in the high bits,
 * T=0 C=1 A=2 G=3. Decoding goes through a 256-entry table so a whole byte becomes four bases
 * with one lookup instead of four shifts and masks.
 */

const baseOfCode = [0x54, 0x43, 0x41, 0x47]; // T C A G

/** Entry 4*b+k is base k (0 = high bits) of packed byte b. */
const basesOfPackedByte: Uint8Array = (() => {
  const table = new Uint8Array(256 * 4);
  for (let b = 0; b < 256; b++) {
    for (let k = 0; k < 4; k++) table[b * 4 + k] = baseOfCode[(b >> (6 - 2 * k)) & 3]!;
  }
  return table;
})();

/** Packed bytes holding `length` bases. */
export const packedSize = (length: number): number => Math.ceil(length / 4);

/** The upper-case base at position `slot` (0..3) of one packed byte. */
export function unpackBase(packedByte: number, slot: number): number {
  return baseOfCode[(packedByte >> (6 - 2 * slot)) & 3]!;
}

/**
 * Writes bases [start, end) of a sequence into target at `at`, upper case. `packed` holds the
 * packed bytes from byte floor(start / 4) on; the first and last bytes may be partial.
 */
export function unpackBases(packed: Uint8Array, start: number, end: number, target: Uint8Array, at: number): void {
  if (end <= start) return;
  const table = basesOfPackedByte;
  let p = 0;
  let pos = start;
  let o = at;
  // A first byte entered in the middle.
  const lead = start & 3;
  if (lead !== 0) {
    const b4 = packed[p++]! * 4;
    const stop = Math.min(end, start - lead + 4);
    for (let k = lead; pos < stop; k++, pos++) target[o++] = table[b4 + k]!;
  }
  // Whole bytes: the hot loop of a range read.
  const wholeEnd = end - (end & 3);
  while (pos < wholeEnd) {
    const b4 = packed[p++]! * 4;
    target[o] = table[b4]!;
    target[o + 1] = table[b4 + 1]!;
    target[o + 2] = table[b4 + 2]!;
    target[o + 3] = table[b4 + 3]!;
    o += 4;
    pos += 4;
  }
  // A last byte left in the middle.
  if (pos < end) {
    const b4 = packed[p]! * 4;
    for (let k = 0; pos < end; k++, pos++) target[o++] = table[b4 + k]!;
  }
}
