/** How each format's bases come out of a mapped file: lines (fasta, raw), BGZF blocks, .2bit packing. */
import type { SequenceRecord } from '../data/sequence-record.js';
import { BgzfFile } from '../formats/bgzf/bgzf-file.js';
import type { BlockCache } from '../formats/bgzf/block-cache.js';
import { baseOffset, dropLineEnds, fileSpan, isContiguous, type LineLayout } from '../formats/fasta/offset.js';
import { TwoBitReader } from '../formats/twobit/twobit-reader.js';
import type { MappedFile } from './mapped-file.js';

/**
 * How one sequence's bases come out of its mapped file, whatever the format. Coordinates are
 * 0-based, half-open, already checked against the length by the caller.
 */
export interface SequenceReader {
  /** Base i as stored: its byte value ('a' for a soft-masked A). */
  baseByte(i: number): number;
  /** Bases [start, end): a view of the mapping (or of a cached block) where they lie in one run, else a new buffer. */
  bytes(start: number, end: number): Buffer;
  /** Writes bases [start, end) into target at `at`. */
  copy(target: Buffer, at: number, start: number, end: number): void;
  /** Bases [start, end) in a new buffer that the caller may change (a reverse complement is made in it). */
  ownedBytes(start: number, end: number): Buffer;
}

/** Where the text of a line-based sequence lies: a mapped file, or the inflated text of a BGZF file. */
interface TextSource {
  byteAt(at: number): number;
  /** Bytes [start, end): a view where they lie in one piece (a mapping window, a cached block), else a copy. */
  bytes(start: number, end: number): Buffer;
  copy(target: Buffer, targetStart: number, start: number, end: number): number;
}

/**
 * FASTA (lines of lineBases bases), raw files (one unbroken line) and bgzipped FASTA (the same
 * lines in the inflated text, which BgzfFile reads by inflating only the blocks that hold them,
 * through the process's block cache). In a mapped file a range within one line is a zero-copy
 * view of the mapping; in a BGZF file, a view of one cached block when it lies in one.
 */
class LinesReader implements SequenceReader {
  constructor(
    private readonly layout: LineLayout,
    private readonly text: TextSource,
  ) {}

  baseByte(i: number): number {
    return this.text.byteAt(baseOffset(this.layout, i));
  }

  bytes(start: number, end: number): Buffer {
    if (isContiguous(this.layout, start, end)) {
      const [fileStart, fileEnd] = fileSpan(this.layout, start, end);
      return this.text.bytes(fileStart, fileEnd);
    }
    return this.ownedBytes(start, end);
  }

  ownedBytes(start: number, end: number): Buffer {
    // One bulk copy, then the line ends squeezed out in place (see dropLineEnds).
    const [fileStart, fileEnd] = fileSpan(this.layout, start, end);
    const span = Buffer.allocUnsafe(fileEnd - fileStart);
    this.text.copy(span, 0, fileStart, fileEnd);
    return dropLineEnds(span, this.layout, start, end);
  }

  copy(target: Buffer, at: number, start: number, end: number): void {
    const { offset, lineBases, lineBytes } = this.layout;
    for (let i = start; i < end;) {
      const line = Math.floor(i / lineBases);
      const within = i - line * lineBases;
      const take = Math.min(lineBases - within, end - i);
      const from = offset + line * lineBytes + within;
      this.text.copy(target, at, from, from + take);
      at += take;
      i += take;
    }
  }
}

/** .2bit: bases decoded from the packed 2-bit data of just the asked span (src/formats/twobit/). */
class TwoBitSequenceReader implements SequenceReader {
  constructor(private readonly twoBit: TwoBitReader) {}

  baseByte(i: number): number {
    return this.twoBit.baseByte(i);
  }

  bytes(start: number, end: number): Buffer {
    return this.twoBit.bytes(start, end);
  }

  /** Decoding always writes a new buffer: bytes() is already the caller's own. */
  ownedBytes(start: number, end: number): Buffer {
    return this.twoBit.bytes(start, end);
  }

  copy(target: Buffer, at: number, start: number, end: number): void {
    this.twoBit.copy(target, at, start, end);
  }
}

/** The reader for a record's format over its mapped file; files is where BgzfFiles are shared per path. */
export function openReader(record: SequenceRecord, file: MappedFile, blockCache: BlockCache, bgzfFiles: Map<string, BgzfFile>): SequenceReader {
  switch (record.format) {
    case 'fasta':
    case 'raw':
      return new LinesReader(record, file);
    case '2bit':
      return new TwoBitSequenceReader(new TwoBitReader(record.twoBit!.layout, file, record.twoBit!.littleEndian));
    case 'bgzf': {
      let bgzf = bgzfFiles.get(record.file);
      if (!bgzf) {
        bgzf = new BgzfFile(file, record.gzi!, blockCache);
        bgzfFiles.set(record.file, bgzf);
      }
      return new LinesReader(record, bgzf);
    }
  }
}
