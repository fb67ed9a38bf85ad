/** The header and index of a UCSC .2bit file, and each sequence's record layout. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DataError } from '../../core/errors.js';
import { packedSize } from './packed-bases.js';

/**
 * The header, index and per-sequence record headers of a UCSC .2bit file, read with small reads:
 * a whole genome's packed bases and its (possibly millions of) N and mask blocks stay on disk,
 * to be read through the mapping by TwoBitReader.
 *
 * Layout (kent src/lib/twoBit.c): signature 0x1A412743, version, sequenceCount, reserved (4 bytes
 * each, in the writer's byte order); then per sequence nameSize (1 byte), name, offset (4 bytes;
 * 8 in version 1); at each offset a record: dnaSize, nBlockCount, nBlockStarts[], nBlockSizes[],
 * maskBlockCount, maskBlockStarts[], maskBlockSizes[], reserved, packed bases.
 */

export interface TwoBitLayout {
  name: string;
  /** dnaSize: bases in the sequence. */
  length: number;
  /** File offset of the packed bases. */
  dnaOffset: number;
  nBlockCount: number;
  /** File offset of nBlockStarts[]; nBlockSizes[] follow at nBlocksAt + 4 * nBlockCount. */
  nBlocksAt: number;
  maskBlockCount: number;
  /** File offset of maskBlockStarts[]; maskBlockSizes[] follow at maskBlocksAt + 4 * maskBlockCount. */
  maskBlocksAt: number;
}

export interface TwoBitIndex {
  path: string;
  littleEndian: boolean;
  version: 0 | 1;
  sequences: TwoBitLayout[];
}

const signature = 0x1a412743;
const swappedSignature = 0x4327411a;
const headerSize = 16;
/** Index entries are read through a buffer of this size, not one read per field. */
const chunkSize = 1 << 16;

const fix = 'regenerate it with faToTwoBit (or fetch it again from UCSC), or list a FASTA file instead';

/** Reads a file sequentially (the index) or at offsets (records) with small readSync calls. */
class FileCursor {
  private buffer = Buffer.alloc(0);
  private bufferAt = 0;

  constructor(
    readonly path: string,
    private readonly fd: number,
    readonly size: number,
    readonly littleEndian: boolean,
  ) {}

  /** Bytes [at, at + length), or undefined when the file ends before. */
  bytes(at: number, length: number): Buffer | undefined {
    if (at + length > this.size) return undefined;
    if (at < this.bufferAt || at + length > this.bufferAt + this.buffer.length) {
      const want = Math.min(Math.max(length, chunkSize), this.size - at);
      const buffer = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const n = readSync(this.fd, buffer, got, want - got, at + got);
        if (n === 0) return undefined;
        got += n;
      }
      this.buffer = buffer;
      this.bufferAt = at;
    }
    return this.buffer.subarray(at - this.bufferAt, at - this.bufferAt + length);
  }

  uint32(at: number): number | undefined {
    const b = this.bytes(at, 4);
    if (b === undefined) return undefined;
    return this.littleEndian ? b.readUInt32LE(0) : b.readUInt32BE(0);
  }

  /** A version-1 offset; undefined past the end of the file or past 2^53. */
  uint64(at: number): number | undefined {
    const b = this.bytes(at, 8);
    if (b === undefined) return undefined;
    const value = this.littleEndian ? b.readBigUInt64LE(0) : b.readBigUInt64BE(0);
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : Number.MAX_SAFE_INTEGER;
  }
}

const dataError = (path: string, problem: string) => new DataError(`${path}: ${problem}; ${fix}`);

/** Byte order from the signature read little-endian; throws on anything else. */
function byteOrderOf(path: string, header: Buffer): boolean {
  const sig = header.readUInt32LE(0);
  if (sig === signature) return true;
  if (sig === swappedSignature) return false;
  throw new DataError(
    `${path}: not a .2bit file (signature 0x${sig.toString(16).padStart(8, '0')}, expected 0x1a412743 in either byte order); ` +
      'give a .2bit file made by faToTwoBit, or list the file under its own format',
  );
}

/** Reads the header, the index and every record header of a .2bit file. */
export function readTwoBitIndex(path: string): TwoBitIndex {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const first = Buffer.alloc(headerSize);
    const got = readSync(fd, first, 0, headerSize, 0);
    if (got < 4) throw dataError(path, `not a .2bit file (only ${got} bytes)`);
    const littleEndian = byteOrderOf(path, first);
    if (got < headerSize) throw dataError(path, `truncated header (${got} of ${headerSize} bytes)`);
    const file = new FileCursor(path, fd, size, littleEndian);
    const version = file.uint32(4)!;
    if (version !== 0 && version !== 1) {
      throw new DataError(`${path}: unknown .2bit version ${version} (versions 0 and 1 are read); ${fix}`);
    }
    const count = file.uint32(8)!;
    const entries = readEntries(file, version, count);
    const sequences = entries.map((entry) => readRecord(file, entry.name, entry.offset));
    return { path, littleEndian, version, sequences };
  } finally {
    closeSync(fd);
  }
}

interface IndexEntry {
  name: string;
  offset: number;
}

function readEntries(file: FileCursor, version: 0 | 1, count: number): IndexEntry[] {
  const offsetSize = version === 1 ? 8 : 4;
  // Each entry takes at least 1 + offsetSize bytes, so a count too large for the file is caught before any allocation.
  if (headerSize + count * (1 + offsetSize) > file.size) {
    throw dataError(file.path, `truncated index (${count} sequences declared, the file has ${file.size} bytes)`);
  }
  const entries: IndexEntry[] = [];
  const seen = new Set<string>();
  let at = headerSize;
  for (let i = 0; i < count; i++) {
    const nameSize = file.bytes(at, 1)?.[0];
    const nameBytes = nameSize === undefined ? undefined : file.bytes(at + 1, nameSize);
    const offset =
      nameBytes === undefined || nameSize === undefined ? undefined : offsetSize === 8 ? file.uint64(at + 1 + nameSize) : file.uint32(at + 1 + nameSize);
    if (offset === undefined || nameSize === undefined || nameBytes === undefined) {
      throw dataError(file.path, `truncated index (entry ${i + 1} of ${count} runs past the end of the file at byte ${at})`);
    }
    const name = nameBytes.toString('utf8');
    if (name === '') throw dataError(file.path, `index entry ${i + 1} has an empty name`);
    if (seen.has(name)) throw new DataError(`${file.path}: the sequence name "${name}" appears twice in the index; names must be unique, ${fix}`);
    seen.add(name);
    entries.push({ name, offset });
    at += 1 + nameSize + offsetSize;
  }
  return entries;
}

/** One record header; checks that its blocks and packed bases lie inside the file. */
function readRecord(file: FileCursor, name: string, offset: number): TwoBitLayout {
  const truncated = (what: string) => dataError(file.path, `truncated record of "${name}" at byte ${offset} (${what} runs past the end of the file)`);
  const length = file.uint32(offset);
  const nBlockCount = file.uint32(offset + 4);
  if (length === undefined || nBlockCount === undefined) throw truncated('its header');
  const nBlocksAt = offset + 8;
  const maskCountAt = nBlocksAt + 8 * nBlockCount;
  const maskBlockCount = file.uint32(maskCountAt);
  if (maskBlockCount === undefined) throw truncated('the N block list');
  const maskBlocksAt = maskCountAt + 4;
  const dnaOffset = maskBlocksAt + 8 * maskBlockCount + 4; // + reserved
  if (dnaOffset > file.size) throw truncated('the mask block list');
  const dnaEnd = dnaOffset + packedSize(length);
  if (dnaEnd > file.size) {
    throw dataError(
      file.path,
      `the packed bases of "${name}" (${length} bases, bytes ${dnaOffset}..${dnaEnd}) run past the end of the file (${file.size} bytes): the file is truncated`,
    );
  }
  return { name, length, dnaOffset, nBlockCount, nBlocksAt, maskBlockCount, maskBlocksAt };
}
