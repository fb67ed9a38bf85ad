/** Builds a .fai exactly as `samtools faidx` does, in chunks. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DataError } from '../../core/errors.js';
import type { FaiEntry } from './fai.js';

/**
 * Builds a .fai exactly as `samtools faidx` (htslib fai_build_core) would, reading the FASTA
 * in chunks so that a multi-gigabyte file costs a few MiB of memory.
 */
const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const AT = 0x40;
const CHUNK_BYTES = 4 << 20;
// samtools reads .fai lines through a 64 KiB buffer, so a longer name could never be read back.
const MAX_HEADER_BYTES = 0x10000;
// Bytes C isgraph() rejects, except the CR and LF that are counted separately (CR via indexOf).
const ODD_BYTE = /[^!-~\r\n]/g;
const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d); // C isspace()
const show = (b: number) => (b > 0x20 && b < 0x7f ? `"${String.fromCharCode(b)}"` : `byte 0x${b.toString(16).padStart(2, '0')}`);

/**
 * htslib's fai_build_core state machine for FASTA, fed one line at a time. Each odd case below
 * follows what samtools 1.16 does, checked against the real binary in test/fai.test.ts.
 */
class FaidxStates {
  private readonly entries: FaiEntry[] = [];
  private readonly names = new Set<string>();
  private inSequence = false; // htslib IN_SEQ; false is OUT_READ (before, between or after sequences)
  private readDone = false; // the current header has had a sequence line, so it will be indexed
  private pos = 0;
  private lineNo = 0;
  private headerLine = 0;
  private name = '';
  private length = 0;
  private offset = 0;
  private lineBases = 0;
  private lineBytes = 0;

  constructor(
    private readonly fastaPath: string,
    private readonly log?: (msg: string) => void,
  ) {}

  /** `bytes` excludes the LF; `graph` counts the isgraph() bytes; `header` is set for '>' lines. */
  line(first: number, bytes: number, graph: number, header: Buffer | null, hasNewline: boolean): void {
    this.lineNo++;
    this.pos += bytes + (hasNewline ? 1 : 0);
    if (first === GT) return this.header(header!, bytes, hasNewline); // '>' starts a header only at a line start
    if (this.inSequence) {
      if (bytes === 0)
        this.inSequence = false; // a blank line ends the sequence; bases after it are refused
      else this.sequenceLine(bytes + 1, graph); // htslib counts the LF even when EOF ends the line
      return;
    }
    if (bytes === 0 || (first === CR && bytes === 1 && hasNewline)) return; // blank LF or CRLF line
    throw this.outsideSequence(first);
  }

  finish(): FaiEntry[] {
    if (this.readDone) {
      this.insert();
      return this.entries;
    }
    if (this.headerLine > 0) {
      // samtools refuses the whole file when its last header has no sequence lines.
      throw this.error(
        `sequence "${this.name}" (line ${this.headerLine}) is the last one and has no sequence lines, which samtools faidx refuses; add its bases or remove that header`,
      );
    }
    throw this.error(`no FASTA sequence found (expected a ">name" header line followed by sequence lines); is this a FASTA file?`);
  }

  private sequenceLine(lineBytes: number, bases: number): void {
    this.readDone = true;
    this.length += bases;
    if (this.lineBytes === 0) {
      this.lineBytes = lineBytes; // the first line sets the width, even a CRLF blank one (lineBases 0) as samtools does
      this.lineBases = bases;
    } else if (lineBytes < this.lineBytes) {
      this.inSequence = false; // only the last line may be short
    } else if (lineBytes > this.lineBytes) {
      throw this.error(
        `sequence "${this.name}" line ${this.lineNo} is ${lineBytes} bytes long with its line end, longer than its first line (${this.lineBytes}); samtools faidx needs every line but the last to be the same length, rewrap it, e.g.: seqtk seq -l 60 ${this.fastaPath}`,
      );
    }
  }

  private header(header: Buffer, bytes: number, hasNewline: boolean): void {
    if (bytes === 1 && !hasNewline) return; // a lone '>' at the very end is ignored, as samtools does
    if (this.readDone) this.insert(); // a header with no sequence lines is dropped silently, as samtools does
    this.readDone = false;
    let start = 1;
    while (start < header.length && isSpace(header[start]!)) start++; // samtools skips spaces after '>'
    let end = start;
    while (end < header.length && !isSpace(header[end]!)) end++; // the name stops at a space or tab
    this.name = header.toString('utf8', start, end); // may be "" for a bare '>', as samtools does
    this.headerLine = this.lineNo;
    if (!hasNewline)
      throw this.error(
        `sequence "${this.name}" (line ${this.lineNo}) is a header at the end of the file with no sequence, which samtools faidx refuses; add its bases or remove that header`,
      );
    if (end === header.length && bytes > header.length)
      throw this.error(`the header on line ${this.lineNo} has a name longer than ${MAX_HEADER_BYTES} bytes, which a .fai file cannot hold; shorten it`);
    this.inSequence = true;
    this.offset = this.pos;
    this.length = this.lineBases = this.lineBytes = 0;
  }

  private insert(): void {
    if (this.lineBytes > 0xffffffff) {
      // samtools would silently truncate this 32-bit column; refuse rather than write a wrong index.
      throw this.error(
        `sequence "${this.name}" has a ${this.lineBytes}-byte line, too long for a .fai index (at most 4 GiB); wrap it, e.g.: seqtk seq -l 60 ${this.fastaPath}`,
      );
    }
    if (this.names.has(this.name)) {
      this.log?.(
        `${this.fastaPath}: ignoring duplicate sequence "${this.name}" (line ${this.headerLine}, byte offset ${this.offset}); samtools faidx also keeps only the first, rename it to serve both`,
      );
      return;
    }
    this.names.add(this.name);
    this.entries.push({ name: this.name, length: this.length, offset: this.offset, lineBases: this.lineBases, lineBytes: this.lineBytes });
  }

  private outsideSequence(first: number): DataError {
    const at = `line ${this.lineNo}`;
    if (first === AT && this.headerLine === 0) return this.error(`${at} starts with '@', so this is FASTQ; seqserve serves FASTA only`);
    if (this.headerLine === 0)
      return this.error(`${at} starts with ${show(first)} before any ">name" header, which samtools faidx refuses; is this a FASTA file?`);
    const after = `after sequence "${this.name}" ended (at a blank or short line)`;
    if (first === CR)
      return this.error(
        `${at} has a carriage return not followed by a newline ${after}, which samtools faidx refuses; fix the line endings, e.g.: dos2unix ${this.fastaPath}`,
      );
    return this.error(
      `${at} starts with ${show(first)} ${after}, which samtools faidx refuses; remove blank lines inside sequences and make every line but the last the same length, e.g.: seqtk seq -l 60 ${this.fastaPath}`,
    );
  }

  private error(problem: string): DataError {
    return new DataError(`${this.fastaPath}: ${problem}`);
  }
}

/** Counts the non-isgraph() bytes of a chunk's line pieces with native searches, not a JS byte loop. */
class OddByteCounter {
  private readonly text: string;
  private nextCr: number;
  private nextOdd: number;

  constructor(private readonly chunk: Buffer) {
    this.text = chunk.toString('latin1');
    this.nextCr = this.findCr(0);
    this.nextOdd = this.findOdd(0);
  }

  /** Pieces must be asked for in file order; plain sequence chunks cost two comparisons. */
  count(end: number): number {
    let n = 0;
    for (; this.nextCr < end; n++) this.nextCr = this.findCr(this.nextCr + 1);
    for (; this.nextOdd < end; n++) this.nextOdd = this.findOdd(this.nextOdd + 1);
    return n;
  }

  private findCr(from: number): number {
    const i = this.chunk.indexOf(CR, from);
    return i === -1 ? Infinity : i;
  }

  private findOdd(from: number): number {
    ODD_BYTE.lastIndex = from;
    const match = ODD_BYTE.exec(this.text);
    return match === null ? Infinity : match.index;
  }
}

/** Splits file chunks into lines (which may span chunks) and hands each to the builder. */
class LineScanner {
  private first = -1;
  private bytes = 0;
  private graph = 0;
  private header: Buffer[] | null = null;
  private headerBytes = 0;

  constructor(private readonly builder: FaidxStates) {}

  chunk(chunk: Buffer): void {
    const odd = new OddByteCounter(chunk);
    for (let start = 0; ;) {
      const newline = chunk.indexOf(LF, start);
      const end = newline === -1 ? chunk.length : newline;
      if (end > start) this.piece(chunk, start, end, odd);
      if (newline === -1) return;
      this.emit(true);
      start = newline + 1;
    }
  }

  end(): void {
    if (this.bytes > 0) this.emit(false); // the last line had no newline
  }

  private piece(chunk: Buffer, start: number, end: number, odd: OddByteCounter): void {
    if (this.bytes === 0) {
      this.first = chunk[start]!;
      if (this.first === GT) this.header = [];
    }
    this.bytes += end - start;
    this.graph += end - start - odd.count(end);
    if (this.header !== null && this.headerBytes < MAX_HEADER_BYTES) {
      const take = Math.min(end, start + MAX_HEADER_BYTES - this.headerBytes);
      this.header.push(Buffer.from(chunk.subarray(start, take))); // copied: the chunk buffer is reused
      this.headerBytes += take - start;
    }
  }

  private emit(hasNewline: boolean): void {
    const header = this.header === null ? null : Buffer.concat(this.header);
    this.builder.line(this.first, this.bytes, this.graph, header, hasNewline);
    this.first = -1;
    this.bytes = this.graph = this.headerBytes = 0;
    this.header = null;
  }
}

/**
 * Indexes FASTA text fed in chunks from any source (a file, inflated BGZF blocks); offsets are
 * positions in the concatenated chunks. Chunks may split lines anywhere and may be reused by the
 * caller after push() returns.
 */
export class FaiBuilder {
  private readonly states: FaidxStates;
  private readonly scanner: LineScanner;

  /** `fastaPath` only names the file in messages. */
  constructor(fastaPath: string, log?: (msg: string) => void) {
    this.states = new FaidxStates(fastaPath, log);
    this.scanner = new LineScanner(this.states);
  }

  push(chunk: Buffer): void {
    if (chunk.length > 0) this.scanner.chunk(chunk);
  }

  /** The entries, as samtools faidx would write them; throws DataError where samtools refuses. */
  finish(): FaiEntry[] {
    this.scanner.end();
    return this.states.finish();
  }
}

export interface BuildFaiOptions {
  /** Bytes read at a time; small values are a test seam for lines split across chunks. */
  chunkBytes?: number;
  /** Called after each chunk with the bytes read so far and the file size (for a progress bar). */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

export function buildFai(fastaPath: string, log?: (msg: string) => void, options: BuildFaiOptions = {}): FaiEntry[] {
  const { chunkBytes = CHUNK_BYTES, onProgress } = options;
  const builder = new FaiBuilder(fastaPath, log);
  const fd = openSync(fastaPath, 'r');
  try {
    const total = fstatSync(fd).size;
    const buffer = Buffer.allocUnsafe(chunkBytes);
    for (let pos = 0; ;) {
      const n = readSync(fd, buffer, 0, chunkBytes, pos);
      if (n === 0) break;
      builder.push(buffer.subarray(0, n));
      pos += n;
      onProgress?.(pos, Math.max(total, pos));
    }
  } finally {
    closeSync(fd);
  }
  return builder.finish();
}
