import type { SequenceRecord } from '../catalog.js';
import { baseOffset, contiguousSpan, forEachLinePiece, isContiguous } from '../fasta/offset.js';
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

  /** Base i as stored: its byte value, read from the mapping. */
  baseByte(i: number): number {
    return this.file!.byteAt(baseOffset(this.record, i));
  }

  /** Bases [start, end): a view of the mapping when they are contiguous on disk, else a joined copy. */
  bytes(start: number, end: number): Buffer {
    if (end <= start) return Buffer.alloc(0);
    if (isContiguous(this.record, start, end)) {
      const [fileStart, fileEnd] = contiguousSpan(this.record, start, end);
      const view = this.file!.view(fileStart, fileEnd);
      if (view) return view;
    }
    const out = Buffer.allocUnsafe(end - start);
    this.copyBases(out, 0, start, end);
    return out;
  }

  /** Reverse complement of bases [start, end), always a new buffer. */
  reverseComplement(start: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(Math.max(0, end - start));
    this.copyBases(out, 0, start, end);
    return reverseComplementInPlace(out);
  }

  /** Copies bases [start, end) into target, dropping line terminators. */
  copyBases(target: Buffer, targetStart: number, start: number, end: number): void {
    const file = this.file!;
    let to = targetStart;
    forEachLinePiece(this.record, start, end, (fileStart, fileEnd) => {
      to += file.copy(target, to, fileStart, fileEnd);
    });
  }
}
