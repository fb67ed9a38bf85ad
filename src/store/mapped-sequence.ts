/** MappedSequence: one sequence's bases, validators and reverse complement, read from its mapped file. */
import type { SequenceRecord } from '../data/sequence-record.js';
import { reverseComplementInPlace } from './reverse-complement.js';
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
  /**
   * HTTP validators of this sequence's answers, made once here so the hot path only
   * concatenates (src/http/cache.ts): the opening of a strong ETag (quote, file identity, name,
   * dot) and Last-Modified (the file's mtime) as an HTTP-date and in ms (whole seconds).
   */
  readonly etagPrefix: string;
  readonly lastModified: string;
  readonly lastModifiedMs: number;
  /** The mtime was at least a second old when mapped: Last-Modified may serve If-Range (RFC 9110 §8.8.2.2). */
  readonly lastModifiedStrong: boolean;

  /** file and reader are undefined only for an empty file, which cannot be mapped. */
  constructor(
    readonly record: SequenceRecord,
    private readonly file: MappedFile | undefined,
    private readonly reader: SequenceReader | undefined,
  ) {
    this.name = record.name;
    this.length = record.length;
    // encodeURIComponent leaves only characters an entity-tag may hold (no quote, space or control).
    this.etagPrefix = `"${file?.tag ?? 'empty'}.${encodeURIComponent(record.name)}.`;
    const mtime = file?.mtimeMs ?? 0;
    this.lastModifiedMs = Math.floor(mtime / 1000) * 1000;
    this.lastModified = new Date(this.lastModifiedMs).toUTCString();
    this.lastModifiedStrong = file !== undefined && file.mappedAt - mtime >= 1000;
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
