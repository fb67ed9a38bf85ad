/** The BGZF block format and its .gzi index: block headers, walking the blocks, reading and writing .gzi. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DataError } from '../../core/errors.js';

/**
 * The BGZF block format and its .gzi index. A BGZF file is a series of gzip members ("blocks") of
 * at most 64 KiB each, whose header carries the block's compressed size in a `BC` extra subfield,
 * so the blocks can be walked without inflating anything; the .gzi maps block starts in the
 * compressed file to offsets in the uncompressed text.
 */
export interface GziIndex {
  /** Block starts in the compressed file, block 0 at 0 included; sorted. */
  compressed: Float64Array;
  /** Where each of those blocks starts in the uncompressed text; sorted. */
  uncompressed: Float64Array;
  /** Bytes of uncompressed text; NaN when unknown (a .gzi does not store it: see BgzfFile.size). */
  uncompressedSize: number;
}

/** BGZF caps both sizes of a block at 64 KiB (BSIZE is 16 bits, and bgzip never inflates past it). */
export const MAX_BLOCK_BYTES = 0x10000;
const GZIP_FIXED_HEADER = 12;
const TRAILER_BYTES = 8;
const FEXTRA = 4;

export interface BlockHeader {
  /** Whole block, header and trailer included (BSIZE + 1). */
  size: number;
  /** Where the deflate data starts within the block. */
  payloadStart: number;
}

function notBgzfError(path: string): DataError {
  const fixed = join(dirname(path), `bgzip-${basename(path)}`);
  return new DataError(
    `${path} is gzip-compressed but not with bgzip, so it cannot be read at random: recompress it with \`zcat ${path} | bgzip > ${fixed}\` or run \`seqserve prepare ${path} OUTDIR\``,
  );
}

export function corruptBlockError(path: string, offset: number, problem: string): DataError {
  return new DataError(
    `${path}: the BGZF block at byte offset ${offset} ${problem}; the file is truncated or corrupt, download or compress it again (\`bgzip -t ${path}\` tests it)`,
  );
}

/**
 * Reads the header of the block at `offset`; `bytes` starts at the block and holds as much of it
 * as the file has (up to MAX_BLOCK_BYTES). Throws DataError for a non-gzip, non-BGZF or cut block.
 */
export function parseBlockHeader(bytes: Buffer, path: string, offset: number): BlockHeader {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    if (offset === 0)
      throw new DataError(
        `${path} is not gzip-compressed (it does not start with the gzip bytes 1f 8b); serve it uncompressed, or compress it with \`bgzip ${path}\``,
      );
    throw corruptBlockError(path, offset, bytes.length < 2 ? 'is cut short' : 'does not start with the gzip bytes 1f 8b');
  }
  if (bytes.length < GZIP_FIXED_HEADER) throw corruptBlockError(path, offset, 'is cut short inside its header');
  if (bytes[2] !== 8) throw corruptBlockError(path, offset, `uses compression method ${bytes[2]}, not deflate`);
  if ((bytes[3]! & FEXTRA) === 0) throw notBgzfError(path); // plain gzip has no extra field
  const extraEnd = GZIP_FIXED_HEADER + bytes.readUInt16LE(10);
  if (bytes.length < extraEnd) throw corruptBlockError(path, offset, 'is cut short inside its header');
  for (let at = GZIP_FIXED_HEADER; at + 4 <= extraEnd;) {
    const length = bytes.readUInt16LE(at + 2);
    if (bytes[at] === 0x42 && bytes[at + 1] === 0x43 && length === 2 && at + 6 <= extraEnd) {
      const size = bytes.readUInt16LE(at + 4) + 1;
      if (size < extraEnd + TRAILER_BYTES) throw corruptBlockError(path, offset, `claims ${size} bytes, fewer than its own header and trailer`);
      if (bytes.length < size) throw corruptBlockError(path, offset, `claims ${size} bytes but only ${bytes.length} remain in the file`);
      return { size, payloadStart: extraEnd };
    }
    at += 4 + length;
  }
  throw notBgzfError(path); // gzip with an extra field, but no BC subfield
}

/** The uncompressed size a whole block (as cut by its header) declares in its last 4 bytes. */
export function blockInflatedSize(block: Buffer, path: string, offset: number): number {
  const isize = block.readUInt32LE(block.length - 4);
  if (isize > MAX_BLOCK_BYTES) throw corruptBlockError(path, offset, `claims to inflate to ${isize} bytes, more than the 64 KiB BGZF allows`);
  return isize;
}

/** The deflate data of a whole block: between the header and the CRC32 + ISIZE trailer. */
export function blockPayload(block: Buffer, header: BlockHeader): Buffer {
  return block.subarray(header.payloadStart, block.length - TRAILER_BYTES);
}

/**
 * Accumulates the gzi entries of blocks seen in file order, as htslib records them: empty blocks
 * (the EOF marker, or the ones left inside concatenated files) get no entry, nor does the first
 * block with data, which the implied (0, 0) entry already covers.
 */
export class GziBuilder {
  private readonly compressed: number[] = [0];
  private readonly uncompressed: number[] = [0];
  private total = 0;

  add(offset: number, inflatedSize: number): void {
    if (inflatedSize > 0 && this.total > 0) {
      this.compressed.push(offset);
      this.uncompressed.push(this.total);
    }
    this.total += inflatedSize;
  }

  finish(): GziIndex {
    return { compressed: Float64Array.from(this.compressed), uncompressed: Float64Array.from(this.uncompressed), uncompressedSize: this.total };
  }
}

/**
 * Walks every block of a BGZF file in order, reading the file sequentially in large chunks;
 * `visit` gets each whole block (a view valid only during the call) and its header.
 */
export function walkBgzfBlocks(
  path: string,
  visit: (block: Buffer, offset: number, header: BlockHeader) => void,
  onProgress?: (done: number, total: number) => void,
  chunkBytes = 1 << 20,
): void {
  const fd = openSync(path, 'r');
  try {
    const total = fstatSync(fd).size;
    if (total === 0) throw new DataError(`${path} is empty, not a bgzip-compressed file`);
    const buffer = Buffer.allocUnsafe(Math.max(chunkBytes, MAX_BLOCK_BYTES));
    let bufferStart = 0; // file offset of buffer[0]
    let filled = 0;
    let offset = 0;
    while (offset < total) {
      if (offset + MAX_BLOCK_BYTES > bufferStart + filled && bufferStart + filled < total) {
        // Keep the unread tail and top the buffer up, so a whole block is always in it.
        const kept = bufferStart + filled - offset;
        buffer.copy(buffer, 0, offset - bufferStart, filled);
        bufferStart = offset;
        filled = kept + readFully(fd, buffer, kept, bufferStart + kept);
        onProgress?.(Math.min(bufferStart + filled, total), total);
      }
      const local = offset - bufferStart;
      const rest = buffer.subarray(local, Math.min(filled, local + MAX_BLOCK_BYTES));
      const header = parseBlockHeader(rest, path, offset);
      visit(rest.subarray(0, header.size), offset, header);
      offset += header.size;
    }
  } finally {
    closeSync(fd);
  }
}

function readFully(fd: number, buffer: Buffer, at: number, position: number): number {
  let n = 0;
  for (let got = -1; got !== 0 && at + n < buffer.length; n += got) got = readSync(fd, buffer, at + n, buffer.length - at - n, position + n);
  return n;
}

/** Builds the .gzi of a BGZF file from its block headers and trailers alone, without inflating. */
export function scanBgzf(path: string, onProgress?: (done: number, total: number) => void): GziIndex {
  const gzi = new GziBuilder();
  walkBgzfBlocks(path, (block, offset) => gzi.add(offset, blockInflatedSize(block, path, offset)), onProgress);
  return gzi.finish();
}

/** True when the file starts with the gzip magic bytes (BGZF or plain gzip). */
export function isGzipFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const magic = Buffer.alloc(2);
    return readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Reads a .gzi as samtools and bgzip write it: a uint64 LE count, then (compressed, uncompressed) uint64 LE pairs. */
export function parseGzi(bytes: Buffer, gziPath: string): GziIndex {
  const bgzfPath = gziPath.endsWith('.gzi') ? gziPath.slice(0, -4) : gziPath;
  const fail = (problem: string) => new DataError(`${gziPath}: ${problem}; delete it to have it rebuilt, or rebuild it with \`samtools faidx ${bgzfPath}\``);
  if (bytes.length < 8) throw fail(`is ${bytes.length} bytes long, too short for a .gzi index (8 bytes of count at least)`);
  const count = bytes.readBigUInt64LE(0);
  if (BigInt(bytes.length) !== 8n + 16n * count)
    throw fail(`says it holds ${count} blocks, which would take ${8n + 16n * count} bytes, but it is ${bytes.length} bytes long`);
  const n = Number(count) + 1;
  const compressed = new Float64Array(n);
  const uncompressed = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const c = Number(bytes.readBigUInt64LE(8 + 16 * (i - 1)));
    const u = Number(bytes.readBigUInt64LE(16 + 16 * (i - 1)));
    // Block starts must increase; uncompressed starts may repeat only for empty blocks that other tools list.
    if (!(c > compressed[i - 1]!) || !(u >= uncompressed[i - 1]!) || !Number.isSafeInteger(c) || !Number.isSafeInteger(u)) {
      throw fail(
        `block ${i} (compressed ${c}, uncompressed ${u}) is out of order after block ${i - 1} (compressed ${compressed[i - 1]}, uncompressed ${uncompressed[i - 1]})`,
      );
    }
    compressed[i] = c;
    uncompressed[i] = u;
  }
  return { compressed, uncompressed, uncompressedSize: NaN };
}

/** The bytes samtools and bgzip write for this index (block 0 is implied, not stored). */
export function formatGzi(index: GziIndex): Buffer {
  const n = index.compressed.length - 1;
  const out = Buffer.alloc(8 + 16 * Math.max(0, n));
  out.writeBigUInt64LE(BigInt(Math.max(0, n)), 0);
  for (let i = 1; i <= n; i++) {
    out.writeBigUInt64LE(BigInt(index.compressed[i]!), 8 + 16 * (i - 1));
    out.writeBigUInt64LE(BigInt(index.uncompressed[i]!), 16 + 16 * (i - 1));
  }
  return out;
}
