/**
 * The NumPy .npy format (version 1.0), written without numpy: the header that `numpy.load`
 * reads, and the bytes of the arrays seqserve answers (uint8 windows, UTF-32 names, int64).
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */

/** numpy pads headers so the data starts on a multiple of 64 bytes (format.ARRAY_ALIGN). */
const align = 64;
const magic = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00]); // \x93NUMPY 1.0

/** A field of a structured dtype: its name and numpy type string (`<U12`, `<i8`). */
export type Field = readonly [name: string, type: string];

/** The `descr` of a plain type (`|u1`) or, as numpy writes it, of a structured one. */
function descr(type: string | readonly Field[]): string {
  return typeof type === 'string' ? `'${type}'` : `[${type.map(([name, t]) => `('${name}', '${t}')`).join(', ')}]`;
}

/** The header of a C-ordered array of `shape`: magic, length, and the dict numpy parses. */
export function npyHeader(type: string | readonly Field[], shape: readonly number[]): Buffer {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': ${descr(type)}, 'fortran_order': False, 'shape': ${dims}, }`;
  const unpadded = magic.length + 2 + dict.length + 1;
  const text = dict + ' '.repeat((align - (unpadded % align)) % align) + '\n';
  const header = Buffer.alloc(magic.length + 2 + text.length);
  magic.copy(header, 0);
  header.writeUInt16LE(text.length, magic.length);
  header.write(text, magic.length + 2, 'latin1');
  return header;
}

/** Code points of a string: numpy's `<U` counts these, not UTF-16 units. */
export function codePoints(s: string): number[] {
  return Array.from(s, (c) => c.codePointAt(0)!);
}

/** Writes a string as numpy `<U{width}`: UTF-32LE, zero-padded. Returns the position after it. */
export function writeUtf32(buf: Buffer, at: number, points: readonly number[], width: number): number {
  buf.fill(0, at, at + 4 * width);
  for (let k = 0; k < points.length; k++) buf.writeUInt32LE(points[k]!, at + 4 * k);
  return at + 4 * width;
}

/** Writes a whole number below 2^53 as numpy `<i8`. Returns the position after it. */
export function writeInt64(buf: Buffer, at: number, n: number): number {
  buf.writeUInt32LE(n % 4294967296, at);
  buf.writeUInt32LE(Math.floor(n / 4294967296), at + 4);
  return at + 8;
}
