/**
 * A test-side .2bit writer, independent of src/twobit: it turns {name, sequence} pairs into a
 * .2bit file the way faToTwoBit does (kent src/utils/faToTwoBit + src/lib/twoBit.c), in either
 * byte order and in version 0 (32-bit index offsets) or 1 (64-bit).
 *  - unknownToN: a letter other than ACGTUN (any case) becomes N, or n when lower case; any
 *    other character becomes n (isupper is false for it), as faToTwoBit does.
 *  - N blocks: runs of N/n. Mask blocks: runs of lower-case letters.
 *  - Packing: T=0 C=1 A=2 G=3 (U packs as T, N as T), first base in the high bits.
 * And the other way, the oracle the reader is checked against: `asTwoBitToFa`.
 */
import { writeFileSync } from 'node:fs';

export interface TwoBitRecord {
  name: string;
  sequence: string;
}

export interface TwoBitWriteOptions {
  littleEndian: boolean;
  version: 0 | 1;
}

/** faToTwoBit's unknownToN: non-ACGTUN characters become N (upper case) or n. */
export function unknownToN(sequence: string): string {
  return sequence.replace(/[^ACGTUNacgtun]/g, (c) => (c >= 'A' && c <= 'Z' ? 'N' : 'n'));
}

/** Runs of characters matching `inRun`, as [starts, sizes]. */
export function runsOf(sequence: string, inRun: (c: string) => boolean): [number[], number[]] {
  const starts: number[] = [];
  const sizes: number[] = [];
  let runStart = -1;
  for (let i = 0; i <= sequence.length; i++) {
    const inside = i < sequence.length && inRun(sequence[i]!);
    if (inside && runStart < 0) runStart = i;
    if (!inside && runStart >= 0) {
      starts.push(runStart);
      sizes.push(i - runStart);
      runStart = -1;
    }
  }
  return [starts, sizes];
}

const codeOf: Record<string, number> = { T: 0, U: 0, N: 0, C: 1, A: 2, G: 3 };

function pack(sequence: string): Buffer {
  const out = Buffer.alloc(Math.ceil(sequence.length / 4));
  for (let i = 0; i < sequence.length; i++) {
    const code = codeOf[sequence[i]!.toUpperCase()] ?? 0;
    out[i >> 2]! |= code << (6 - 2 * (i & 3));
  }
  return out;
}

/** A growing byte list with 32/64-bit writes in the chosen byte order. */
class Bytes {
  private readonly parts: Buffer[] = [];
  length = 0;
  constructor(private readonly littleEndian: boolean) {}

  raw(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }

  u32(v: number): void {
    const b = Buffer.alloc(4);
    if (this.littleEndian) b.writeUInt32LE(v);
    else b.writeUInt32BE(v);
    this.raw(b);
  }

  u64(v: number): void {
    const b = Buffer.alloc(8);
    if (this.littleEndian) b.writeBigUInt64LE(BigInt(v));
    else b.writeBigUInt64BE(BigInt(v));
    this.raw(b);
  }

  u32s(values: number[]): void {
    for (const v of values) this.u32(v);
  }

  buffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** One record: dnaSize, N blocks, mask blocks, reserved, packed bases. */
function recordBytes(sequence: string, littleEndian: boolean): Buffer {
  const s = unknownToN(sequence);
  const [nStarts, nSizes] = runsOf(s, (c) => c === 'N' || c === 'n');
  const [maskStarts, maskSizes] = runsOf(s, (c) => c >= 'a' && c <= 'z');
  const out = new Bytes(littleEndian);
  out.u32(s.length);
  out.u32(nStarts.length);
  out.u32s(nStarts);
  out.u32s(nSizes);
  out.u32(maskStarts.length);
  out.u32s(maskStarts);
  out.u32s(maskSizes);
  out.u32(0);
  out.raw(pack(s));
  return out.buffer();
}

/** The bytes of a .2bit file holding `records` in order. */
export function twoBitBytes(records: TwoBitRecord[], options: TwoBitWriteOptions): Buffer {
  const { littleEndian, version } = options;
  const offsetSize = version === 1 ? 8 : 4;
  const bodies = records.map((r) => recordBytes(r.sequence, littleEndian));
  const names = records.map((r) => Buffer.from(r.name));
  const out = new Bytes(littleEndian);
  out.u32(0x1a412743);
  out.u32(version);
  out.u32(records.length);
  out.u32(0);
  let offset = 16 + names.reduce((sum, n) => sum + 1 + n.length + offsetSize, 0);
  records.forEach((_, i) => {
    const name = names[i]!;
    out.raw(Buffer.from([name.length]));
    out.raw(name);
    if (version === 1) out.u64(offset);
    else out.u32(offset);
    offset += bodies[i]!.length;
  });
  for (const body of bodies) out.raw(body);
  return out.buffer();
}

/** Writes `records` as a .2bit file at `path`. */
export function writeTwoBit(path: string, records: TwoBitRecord[], options: TwoBitWriteOptions): void {
  writeFileSync(path, twoBitBytes(records, options));
}

/**
 * What twoBitToFa prints for a sequence faToTwoBit stored: ACGT keep their case, U becomes T,
 * any other letter N in its case, any other character n (faToTwoBit's unknownToN); so an N
 * inside a soft-masked (lower-case) stretch is n, outside N, base by base.
 */
export function asTwoBitToFa(sequence: string): string {
  return sequence.replace(/[^ACGTacgt]/g, (c) => (c === 'U' ? 'T' : c === 'u' ? 't' : c >= 'A' && c <= 'Z' ? 'N' : 'n'));
}
