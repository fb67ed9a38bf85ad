/** TwoBitReader: bases of a .2bit sequence decoded from the mapping on demand, as twoBitToFa gives them. */
import type { MappedFile } from '../../store/mapped-file.js';
import { unpackBase, unpackBases } from './packed-bases.js';
import type { TwoBitLayout } from './twobit-index.js';

const N = 0x4e;
/** OR-ing it into an upper-case letter gives the lower-case one. */
const lowerCaseBit = 0x20;

/**
 * A sorted list of non-overlapping blocks (N runs or soft-masked runs) read in place from the
 * mapping: starts[] then sizes[], 32-bit in the file's byte order. Nothing is copied at startup,
 * since a human .2bit holds millions of mask blocks; a lookup is a binary search over the mapped
 * starts, and a range visits only the blocks that overlap it.
 */
class MappedBlocks {
  private readonly sizesAt: number;

  constructor(
    private readonly file: MappedFile,
    private readonly count: number,
    private readonly startsAt: number,
    private readonly littleEndian: boolean,
  ) {
    this.sizesAt = startsAt + 4 * count;
  }

  /** A 32-bit int read byte by byte, so one that straddles two mapping windows needs no copy. */
  private uint32(at: number): number {
    const f = this.file;
    const b0 = f.byteAt(at);
    const b1 = f.byteAt(at + 1);
    const b2 = f.byteAt(at + 2);
    const b3 = f.byteAt(at + 3);
    return this.littleEndian ? (b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) >>> 0 : ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
  }

  private start(k: number): number {
    return this.uint32(this.startsAt + 4 * k);
  }

  private end(k: number): number {
    return this.start(k) + this.uint32(this.sizesAt + 4 * k);
  }

  /** Index of the last block starting at or before pos, or -1. */
  private lastStartingAtOrBefore(pos: number): number {
    let lo = 0;
    let hi = this.count; // answer + 1 lies in [lo, hi]
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.start(mid) <= pos) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** True when base pos lies inside a block. */
  covers(pos: number): boolean {
    if (this.count === 0) return false;
    const k = this.lastStartingAtOrBefore(pos);
    return k >= 0 && pos < this.end(k);
  }

  /** Calls visit(s, e) for the part of every block inside [start, end), in order. */
  forEachOverlap(start: number, end: number, visit: (s: number, e: number) => void): void {
    if (this.count === 0 || end <= start) return;
    let first = this.lastStartingAtOrBefore(start);
    if (first < 0 || this.end(first) <= start) first++;
    const last = this.lastStartingAtOrBefore(end - 1);
    if (last < first) return;
    // Both slices come back as views of the mapping unless they straddle a window edge.
    const starts = this.file.bytes(this.startsAt + 4 * first, this.startsAt + 4 * (last + 1));
    const sizes = this.file.bytes(this.sizesAt + 4 * first, this.sizesAt + 4 * (last + 1));
    const le = this.littleEndian;
    for (let j = 0, o = 0; j <= last - first; j++, o += 4) {
      const s = le ? starts.readUInt32LE(o) : starts.readUInt32BE(o);
      const size = le ? sizes.readUInt32LE(o) : sizes.readUInt32BE(o);
      // Clamped: a block running past the range (or, in a damaged file, past the sequence) is cut.
      const from = Math.max(s, start);
      const to = Math.min(s + size, end);
      if (from < to) visit(from, to);
    }
  }
}

/**
 * Bases of one .2bit sequence decoded from the mapping on demand, with twoBitToFa's semantics:
 * packed bases in upper case, then N blocks overwrite with N, then every base inside a mask
 * block (an N included) is lower-cased. Coordinates are 0-based half-open and already checked
 * by the caller (0 <= start <= end <= length).
 */
export class TwoBitReader {
  private readonly nBlocks: MappedBlocks;
  private readonly maskBlocks: MappedBlocks;
  private readonly dnaOffset: number;

  constructor(
    readonly layout: TwoBitLayout,
    private readonly file: MappedFile,
    littleEndian: boolean,
  ) {
    this.nBlocks = new MappedBlocks(file, layout.nBlockCount, layout.nBlocksAt, littleEndian);
    this.maskBlocks = new MappedBlocks(file, layout.maskBlockCount, layout.maskBlocksAt, littleEndian);
    this.dnaOffset = layout.dnaOffset;
  }

  get length(): number {
    return this.layout.length;
  }

  /** The byte of base i: one packed byte and two binary searches. */
  baseByte(i: number): number {
    let base = this.nBlocks.covers(i) ? N : unpackBase(this.file.byteAt(this.dnaOffset + Math.floor(i / 4)), i % 4);
    if (this.maskBlocks.covers(i)) base |= lowerCaseBit;
    return base;
  }

  /** Decodes bases [start, end) into target at `at`. */
  copy(target: Buffer, at: number, start: number, end: number): void {
    if (end <= start) return;
    const packed = this.file.bytes(this.dnaOffset + Math.floor(start / 4), this.dnaOffset + Math.ceil(end / 4));
    unpackBases(packed, start, end, target, at);
    const shift = at - start;
    this.nBlocks.forEachOverlap(start, end, (s, e) => {
      target.fill(N, s + shift, e + shift);
    });
    this.maskBlocks.forEachOverlap(start, end, (s, e) => {
      for (let o = s + shift; o < e + shift; o++) target[o]! |= lowerCaseBit;
    });
  }

  /** A new buffer of bases [start, end). */
  bytes(start: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(Math.max(0, end - start));
    this.copy(out, 0, start, end);
    return out;
  }
}
