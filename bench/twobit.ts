/**
 * A small .2bit writer for the bench genome, streaming from Buffers (the test helper builds
 * strings, too slow for 64 Mbp). It writes what faToTwoBit writes: version 0 (32-bit offsets),
 * little-endian, N blocks for runs of N/n, mask blocks for runs of lower case, bases packed
 * T=0 C=1 A=2 G=3 with the first base in the high bits (U packs as T, N and other letters as T,
 * as faToTwoBit packs them after turning them into N).
 */
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';

export interface TwoBitSource {
  name: string;
  bases: Buffer;
}

const SIGNATURE = 0x1a412743;
const CHUNK_BASES = 1 << 22; // packed and written 4 Mbp at a time

const CODE = new Uint8Array(256); // everything else 0 (T)
for (const [letter, code] of [
  ['C', 1],
  ['A', 2],
  ['G', 3],
] as const) {
  CODE[letter.charCodeAt(0)] = code;
  CODE[letter.toLowerCase().charCodeAt(0)] = code;
}

const isN = (b: number) => b === 0x4e || b === 0x6e;
const isLower = (b: number) => b >= 0x61 && b <= 0x7a;

/** Runs of bytes matching `inRun` as [starts, sizes]. */
function byteRuns(bases: Buffer, inRun: (b: number) => boolean): [number[], number[]] {
  const starts: number[] = [];
  const sizes: number[] = [];
  let from = -1;
  for (let i = 0; i <= bases.length; i++) {
    const inside = i < bases.length && inRun(bases[i]!);
    if (inside && from < 0) from = i;
    else if (!inside && from >= 0) {
      starts.push(from);
      sizes.push(i - from);
      from = -1;
    }
  }
  return [starts, sizes];
}

function u32s(values: number[]): Buffer {
  const b = Buffer.allocUnsafe(4 * values.length);
  values.forEach((v, i) => b.writeUInt32LE(v, 4 * i));
  return b;
}

/** bases [from, to) packed four to a byte; `to - from` a multiple of 4 except at the end. */
function pack(bases: Buffer, from: number, to: number): Buffer {
  const out = Buffer.alloc(Math.ceil((to - from) / 4));
  for (let i = from; i < to; i++) out[(i - from) >> 2]! |= CODE[bases[i]!]! << (6 - 2 * ((i - from) & 3));
  return out;
}

function recordHeader(bases: Buffer): Buffer {
  const [nStarts, nSizes] = byteRuns(bases, isN);
  const [maskStarts, maskSizes] = byteRuns(bases, isLower);
  return Buffer.concat([
    u32s([bases.length, nStarts.length]),
    u32s(nStarts),
    u32s(nSizes),
    u32s([maskStarts.length]),
    u32s(maskStarts),
    u32s(maskSizes),
    u32s([0]),
  ]);
}

/** Writes `records` to `path` (through a temporary name, so a present file is a complete one). */
export function writeTwoBit(path: string, records: TwoBitSource[]): void {
  const headers = records.map((r) => recordHeader(r.bases));
  const indexBytes = records.reduce((n, r) => n + 1 + Buffer.byteLength(r.name, 'latin1') + 4, 0);
  let offset = 16 + indexBytes;
  const index: Buffer[] = [];
  records.forEach((r, k) => {
    const name = Buffer.from(r.name, 'latin1');
    if (name.length === 0 || name.length > 255) throw new Error(`.2bit names are 1-255 bytes: "${r.name}"`);
    index.push(Buffer.from([name.length]), name, u32s([offset]));
    offset += headers[k]!.length + Math.ceil(r.bases.length / 4);
  });
  if (offset > 2 ** 32) throw new Error(`${path} would be ${offset} bytes: version 0 .2bit files stop at 4 GiB`);
  const partial = `${path}.partial`;
  const fd = openSync(partial, 'w');
  try {
    writeSync(fd, Buffer.concat([u32s([SIGNATURE, 0, records.length, 0]), ...index]));
    records.forEach((r, k) => {
      writeSync(fd, headers[k]!);
      for (let from = 0; from < r.bases.length; from += CHUNK_BASES) writeSync(fd, pack(r.bases, from, Math.min(from + CHUNK_BASES, r.bases.length)));
    });
  } finally {
    closeSync(fd);
  }
  renameSync(partial, path);
}
