import type { SequenceRecord } from '../catalog.js';
import { baseOffset, dropLineEnds, fileSpan, isContiguous } from '../fasta/offset.js';
import { reverseComplementInPlace } from '../reverse-complement.js';
import type { MappedFile } from './mapped-file.js';

/**
 * One sequence's bases, read from its mapped file. Coordinates are 0-based, half-open, and
 * already checked against the length by the caller.
 */
export class MappedSequence {
  readonly name: string;
  readonly length: number;

  /** file is undefined only for an empty file, which cannot be mapped. */
  constructor(readonly record: SequenceRecord, private readonly file: MappedFile | undefined) {
    this.name = record.name;
    this.length = record.length;
  }

  /** True once its file was changed in place (src/store/mapped-file.ts): reads then throw StaleDataError. */
  get stale(): boolean {
    return this.file?.stale ?? false;
  }

  /** Base i as stored: its byte value, read from the mapping. */
  baseByte(i: number): number {
    return this.file!.byteAt(baseOffset(this.record, i));
  }

  /** Bases [start, end): a view of the mapping when they are contiguous on disk, else a joined copy. */
  bytes(start: number, end: number): Buffer {
    if (end <= start) return Buffer.alloc(0);
    if (isContiguous(this.record, start, end)) {
      const [fileStart, fileEnd] = fileSpan(this.record, start, end);
      return this.file!.bytes(fileStart, fileEnd);
    }
    return this.joined(start, end);
  }

  /** Reverse complement of bases [start, end), always a new buffer. */
  reverseComplement(start: number, end: number): Buffer {
    if (end <= start) return Buffer.alloc(0);
    return reverseComplementInPlace(this.joined(start, end));
  }

  /** Bases [start, end) copied out of the mapping with the line terminators dropped. */
  private joined(start: number, end: number): Buffer {
    const [fileStart, fileEnd] = fileSpan(this.record, start, end);
    const bytes = Buffer.allocUnsafe(fileEnd - fileStart);
    this.file!.copy(bytes, 0, fileStart, fileEnd);
    return dropLineEnds(bytes, this.record, start, end);
  }
}
