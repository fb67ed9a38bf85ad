/** BgzfFile: random reads of a mapped BGZF file in uncompressed coordinates. */
import { inflateRawSync } from 'node:zlib';
import { DataError } from '../../core/errors.js';
import type { MappedFile } from '../../store/mapped-file.js';
import type { BlockCache } from './block-cache.js';
import { blockInflatedSize, blockPayload, corruptBlockError, MAX_BLOCK_BYTES, parseBlockHeader, type GziIndex } from './gzi.js';

/**
 * A mapped BGZF file read in uncompressed coordinates. Only the blocks overlapping a span are
 * inflated, straight from views of the mapping, and they go through the shared BlockCache.
 * "Block i" below is gzi entry i: the text [uncompressed[i], uncompressed[i + 1]), which is one
 * BGZF block, or a run of them when the .gzi skips empty ones.
 */
export class BgzfFile {
  /** Bytes of uncompressed text, measured from the blocks after the last .gzi entry. */
  readonly size: number;
  private readonly fileId: number;
  private readonly last: number;

  constructor(
    readonly file: MappedFile,
    readonly gzi: GziIndex,
    private readonly cache: BlockCache,
  ) {
    this.last = gzi.compressed.length - 1;
    if (this.last < 0 || gzi.compressed[0] !== 0 || gzi.uncompressed[0] !== 0) throw new RangeError('a .gzi index must start with block 0 at (0, 0)');
    this.size = gzi.uncompressed[this.last]! + this.tailBytes();
    if (!Number.isNaN(gzi.uncompressedSize) && gzi.uncompressedSize !== this.size) {
      throw new DataError(
        `${file.path}: its .gzi index says ${gzi.uncompressedSize} uncompressed bytes but its blocks hold ${this.size}; delete the .gzi to have it rebuilt`,
      );
    }
    this.fileId = cache.registerFile();
  }

  get path(): string {
    return this.file.path;
  }

  byteAt(u: number): number {
    this.checkSpan(u, u + 1);
    const i = this.blockOf(u);
    return this.block(i)[u - this.gzi.uncompressed[i]!]!;
  }

  /** Copies uncompressed [uStart, uEnd) into target at `at`; returns the byte count. */
  copy(target: Buffer, at: number, uStart: number, uEnd: number): number {
    this.checkSpan(uStart, uEnd);
    let to = at;
    for (let u = uStart, i = this.blockOf(uStart); u < uEnd; i++) {
      const start = this.gzi.uncompressed[i]!;
      const take = Math.min(uEnd, this.blockEnd(i)) - u;
      this.block(i).copy(target, to, u - start, u - start + take);
      to += take;
      u += take;
    }
    return to - at;
  }

  /** Uncompressed [uStart, uEnd): a view of one cached block when the span lies in one block, else a new buffer. */
  bytes(uStart: number, uEnd: number): Buffer {
    this.checkSpan(uStart, uEnd);
    if (uStart === uEnd) return Buffer.alloc(0);
    const i = this.blockOf(uStart);
    const start = this.gzi.uncompressed[i]!;
    if (uEnd <= this.blockEnd(i)) return this.block(i).subarray(uStart - start, uEnd - start);
    const out = Buffer.allocUnsafe(uEnd - uStart);
    this.copy(out, 0, uStart, uEnd);
    return out;
  }

  /** Frees this file's blocks from the shared cache (on unmap or reload). */
  close(): void {
    this.cache.forgetFile(this.fileId);
  }

  /** The last gzi entry i with uncompressed[i] <= u: later entries win ties, as only empty blocks share a start. */
  private blockOf(u: number): number {
    const starts = this.gzi.uncompressed;
    let lo = 0;
    let hi = this.last;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= u) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private blockEnd(i: number): number {
    return i < this.last ? this.gzi.uncompressed[i + 1]! : this.size;
  }

  private block(i: number): Buffer {
    return this.cache.get(this.fileId, i, () => this.inflateEntry(i));
  }

  private inflateEntry(i: number): Buffer {
    const expected = this.blockEnd(i) - this.gzi.uncompressed[i]!;
    const stop = i < this.last ? this.gzi.compressed[i + 1]! : this.file.size;
    const parts: Buffer[] = [];
    let got = 0;
    for (let offset = this.gzi.compressed[i]!; got < expected && offset < stop;) {
      const { block, inflated } = this.inflateBlockAt(offset);
      parts.push(inflated);
      got += inflated.length;
      offset += block.length;
    }
    if (got !== expected) {
      throw corruptBlockError(
        this.path,
        this.gzi.compressed[i]!,
        `and the blocks after it hold ${got} bytes where the .gzi index expects ${expected} (delete the .gzi to have it rebuilt)`,
      );
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, got);
  }

  private inflateBlockAt(offset: number): { block: Buffer; inflated: Buffer } {
    const rest = this.file.bytes(offset, Math.min(offset + MAX_BLOCK_BYTES, this.file.size));
    const header = parseBlockHeader(rest, this.path, offset);
    const block = rest.subarray(0, header.size);
    const isize = blockInflatedSize(block, this.path, offset);
    if (isize === 0) return { block, inflated: Buffer.alloc(0) };
    let inflated: Buffer;
    try {
      // One output chunk of exactly ISIZE bytes: no concatenation, and the cache counts what it holds.
      inflated = inflateRawSync(blockPayload(block, header), { chunkSize: Math.max(64, isize), maxOutputLength: isize });
    } catch (error) {
      throw corruptBlockError(this.path, offset, `does not inflate (${(error as Error).message})`);
    }
    if (inflated.length !== isize) throw corruptBlockError(this.path, offset, `inflates to ${inflated.length} bytes but its trailer says ${isize}`);
    return { block, inflated };
  }

  /** Bytes after the last .gzi entry: its block and any after it (normally just the empty EOF marker). */
  private tailBytes(): number {
    let offset = this.gzi.compressed[this.last]!;
    if (offset >= this.file.size && !(offset === 0 && this.file.size === 0)) {
      throw new DataError(
        `${this.path}: its .gzi index lists a block at byte ${offset}, past the end of the file (${this.file.size} bytes); delete the .gzi to have it rebuilt`,
      );
    }
    let bytes = 0;
    while (offset < this.file.size) {
      const rest = this.file.bytes(offset, Math.min(offset + MAX_BLOCK_BYTES, this.file.size));
      const header = parseBlockHeader(rest, this.path, offset);
      bytes += blockInflatedSize(rest.subarray(0, header.size), this.path, offset);
      offset += header.size;
    }
    return bytes;
  }

  private checkSpan(uStart: number, uEnd: number): void {
    if (!(uStart >= 0 && uStart <= uEnd && uEnd <= this.size)) {
      throw new RangeError(`span [${uStart}, ${uEnd}) is outside the ${this.size} uncompressed bytes of ${this.path}`);
    }
  }
}
