import type { SequenceRecord } from '../catalog.js';
import { reverseComplementInPlace } from '../reverse-complement.js';
import type { MappedFile } from './mapped-file.js';
import type { SequenceReader } from './sequence-reader.js';

/**
 * One sequence's bases, read from its mapped file by the reader of its format (src/store/
 * sequence-reader.ts). Coordinates are 0-based, half-open, and already checked against the
 * length by the caller.
 */
export class MappedSequence {
  readonly name: string;
  readonly length: number;

  /** file and reader are undefined only for an empty file, which cannot be mapped. */
  constructor(
    readonly record: SequenceRecord,
    private readonly file: MappedFile | undefined,
    private readonly reader: SequenceReader | undefined,
  ) {
    this.name = record.name;
    this.length = record.length;
  }

  /** True once its file was changed in place (src/store/mapped-file.ts): reads then throw StaleDataError. */
  get stale(): boolean {
    return this.file?.stale ?? false;
  }

  /** True when the bases are the file's own bytes (FASTA, raw): ranges are views of the mapping. */
  get isText(): boolean {
    return this.record.format === 'fasta' || this.record.format === 'raw';
  }

  /** Base i as stored: its byte value. */
  baseByte(i: number): number {
    return this.reader!.baseByte(i);
  }

  /** Bases [start, end): a view of the mapping when they are one run of bytes there, else a new buffer. */
  bytes(start: number, end: number): Buffer {
    if (end <= start) return Buffer.alloc(0);
    return this.reader!.bytes(start, end);
  }

  /** Writes bases [start, end) into target at `at`. */
  copy(target: Buffer, at: number, start: number, end: number): void {
    if (end > start) this.reader!.copy(target, at, start, end);
  }

  /** Reverse complement of bases [start, end), always a new buffer. */
  reverseComplement(start: number, end: number): Buffer {
    if (end <= start) return Buffer.alloc(0);
    return reverseComplementInPlace(this.reader!.ownedBytes(start, end));
  }
}
