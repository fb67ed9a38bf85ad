/**
 * A reader of .npy and .npz written for the tests from the format's documentation, independent
 * of the server's writer: header dict by regular expression, ZIP by its central directory with
 * each member's CRC-32 checked.
 */
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';

export interface NpyArray {
  descr: string;
  shape: number[];
  /** The raw data bytes. */
  data: Buffer;
  /** Bytes the array took in its stream (header + data). */
  size: number;
}

/** Reads one .npy array at `at` of buf. */
export function readNpy(buf: Buffer, at = 0): NpyArray {
  assert.equal(buf.subarray(at, at + 6).toString('latin1'), '\x93NUMPY', 'npy magic');
  assert.equal(buf[at + 6], 1, 'npy major version 1');
  const headerLength = buf.readUInt16LE(at + 8);
  const header = buf.toString('latin1', at + 10, at + 10 + headerLength);
  assert.equal((10 + headerLength) % 64, 0, 'data aligned on 64 bytes');
  assert.ok(header.endsWith('\n'), 'header ends in a newline');
  assert.match(header, /'fortran_order': False/, 'C order');
  const descr = /'descr': ('[^']*'|\[.*?\]),/.exec(header)?.[1];
  const shapeText = /'shape': \(([^)]*)\)/.exec(header)?.[1];
  assert.ok(descr && shapeText !== undefined, `descr and shape in ${header}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const start = at + 10 + headerLength;
  const items = shape.reduce((a, b) => a * b, 1);
  const data = buf.subarray(start, start + items * itemSize(descr));
  assert.equal(data.length, items * itemSize(descr), 'whole data');
  return { descr, shape, data, size: start + data.length - at };
}

/** Bytes per item of a descr: '|u1', '<i8', '<U5', or a list of (name, type). */
function itemSize(descr: string): number {
  return [...descr.matchAll(/'(\|u1|<i8|<U\d+)'/g)].reduce((sum, m) => {
    const t = m[1]!;
    return sum + (t === '|u1' ? 1 : t === '<i8' ? 8 : 4 * Number(t.slice(2)));
  }, 0);
}

/** The fields of a structured descr, in order: [name, type]. */
export function fields(descr: string): [string, string][] {
  return [...descr.matchAll(/\('(\w+)', '([^']+)'\)/g)].map((m) => [m[1]!, m[2]!]);
}

/** One value of type `type` at `at`: a string for `<U`, a number for `<i8`. */
export function valueAt(data: Buffer, at: number, type: string): string | number {
  if (type === '<i8') return Number(data.readBigInt64LE(at));
  const width = Number(type.slice(2));
  let s = '';
  for (let k = 0; k < width; k++) {
    const c = data.readUInt32LE(at + 4 * k);
    if (c === 0) break;
    s += String.fromCodePoint(c);
  }
  return s;
}

/** The values of a one-dimensional `<U` or `<i8` array. */
export function column(array: NpyArray): (string | number)[] {
  const size = itemSize(array.descr);
  const type = array.descr.slice(1, -1);
  return Array.from({ length: array.shape[0]! }, (_, i) => valueAt(array.data, i * size, type));
}

/** The rows of a one-dimensional structured array, as objects. */
export function records(array: NpyArray): Record<string, string | number>[] {
  const list = fields(array.descr);
  const size = itemSize(array.descr);
  return Array.from({ length: array.shape[0]! }, (_, i) => {
    const row: Record<string, string | number> = {};
    let at = i * size;
    for (const [name, type] of list) {
      row[name] = valueAt(array.data, at, type);
      at += itemSize(`'${type}'`);
    }
    return row;
  });
}

/** The members of a stored (uncompressed) ZIP, by name, each CRC-checked. */
export function readZip(buf: Buffer): Map<string, Buffer> {
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end >= 0 && end === buf.length - 22, 'end of central directory record last');
  const entries = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const members = new Map<string, Buffer>();
  for (let e = 0; e < entries; e++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, 'central directory header');
    assert.equal(buf.readUInt16LE(at + 10), 0, 'stored');
    const crc = buf.readUInt32LE(at + 16);
    const size = buf.readUInt32LE(at + 20);
    const nameLength = buf.readUInt16LE(at + 28);
    const extra = buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    assert.equal(buf.readUInt32LE(local), 0x04034b50, `${name}: local header`);
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(dataStart, dataStart + size);
    assert.equal(crc32(data), crc, `${name}: CRC-32`);
    members.set(name, data);
    at += 46 + nameLength + extra;
  }
  return members;
}
