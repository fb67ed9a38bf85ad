/**
 * One sequence being written to its raw file: bases gathered into a large buffer, hashed for
 * refget (upper-cased copy) and written while the next buffer fills, so that hashing, parsing,
 * decompressing (zlib's thread pool) and writing overlap. Memory is two buffers and a scratch
 * buffer whatever the sequence's length.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { DataError } from '../core/errors.js';
import type { SequenceDigests } from '../refget/digests.js';

/** Bytes per write and per hash update. */
const OUTPUT_BUFFER_BYTES = 4 << 20;

/** Bytes of SHA-512 kept by ga4gh identifiers. */
const TRUNCATED_BYTES = 24;

/**
 * refget normalisation as a table: a-z → A-Z, other printable ASCII as is, and 0 for the bytes
 * that cannot be bases (C isgraph() is false: space, control characters, CR, bytes ≥ 0x7f),
 * which samtools does not count as bases either.
 */
const UPPER = new Uint8Array(256);
for (let b = 0x21; b <= 0x7e; b++) UPPER[b] = b >= 0x61 && b <= 0x7a ? b - 0x20 : b;

const HIGH = 0x80808080 | 0;

/** Buffers reused by every sequence of a run (one sequence is written at a time). */
export class OutputBuffers {
  readonly fill = Buffer.allocUnsafe(OUTPUT_BUFFER_BYTES);
  readonly spare = Buffer.allocUnsafe(OUTPUT_BUFFER_BYTES);
  readonly scratch = Buffer.allocUnsafe(OUTPUT_BUFFER_BYTES);
}

export class SequenceOutput {
  private readonly md5 = createHash('md5');
  private readonly sha512 = createHash('sha512');
  private fill: Buffer;
  private spare: Buffer;
  private used = 0;
  /** Bases handed over so far (written, being written or buffered). */
  private position = 0;
  private pending: Promise<void> = Promise.resolve();
  private failure: DataError | undefined;

  constructor(
    readonly name: string,
    /** The FASTA file read; for messages. */
    readonly source: string,
    /** The temporary file being written; for messages. */
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly buffers: OutputBuffers,
  ) {
    this.fill = buffers.fill;
    this.spare = buffers.spare;
  }

  get length(): number {
    return this.position + this.used;
  }

  /** Copies as many of src[start, end) as fit; returns how many. Call flush() when full. */
  add(src: Buffer, start: number, end: number): number {
    const n = Math.min(end - start, this.fill.length - this.used);
    src.copy(this.fill, this.used, start, start + n);
    this.used += n;
    return n;
  }

  get full(): boolean {
    return this.used === this.fill.length;
  }

  /** Hashes the buffered bases and starts writing them; waits only for the previous write. */
  async flush(): Promise<void> {
    if (this.used === 0) return;
    const bases = this.fill.subarray(0, this.used);
    this.hash(bases);
    await this.pending;
    if (this.failure !== undefined) throw this.failure;
    const at = this.position;
    this.pending = this.writeAll(bases, at).catch((e: unknown) => {
      this.failure = new DataError(
        `cannot write ${this.path} (${(e as NodeJS.ErrnoException).code ?? String(e)}); check the free space and permissions of the output folder`,
      );
    });
    this.position += this.used;
    [this.fill, this.spare] = [this.spare, this.fill];
    this.used = 0;
  }

  /** Writes what is left, closes the file and returns the digests of the whole sequence. */
  async finish(): Promise<SequenceDigests> {
    await this.flush();
    await this.pending;
    if (this.failure !== undefined) throw this.failure;
    await this.handle.close();
    return { md5: this.md5.digest('hex'), ga4gh: `SQ.${this.sha512.digest().subarray(0, TRUNCATED_BYTES).toString('base64url')}` };
  }

  /** After a failure: waits for the write in flight and closes the file, ignoring errors. */
  async abort(): Promise<void> {
    await this.pending;
    await this.handle.close().catch(() => undefined);
  }

  private hash(bases: Buffer): void {
    const n = bases.length;
    const upper = this.buffers.scratch;
    const words = n >>> 2;
    // Four bytes at a time (the buffers are whole ArrayBuffers, so 4-aligned): twice as fast as
    // a byte loop, which hashing already dominates. Bytes hold their high bit after `| HIGH`,
    // so the per-byte subtractions below never borrow from their neighbour.
    const src = new Int32Array(bases.buffer, bases.byteOffset, words);
    const dst = new Int32Array(upper.buffer, upper.byteOffset, words);
    for (let j = 0; j < words; j++) {
      const w = src[j]!;
      const h = w | HIGH;
      const atLeastA = (h - 0x61616161) & HIGH; // b ≥ 'a'
      const pastZ = (h - 0x7b7b7b7b) & HIGH; // b > 'z'
      if ((w & HIGH) !== 0 || ((h - 0x21212121) & HIGH) !== HIGH || ((h - 0x7f7f7f7f) & HIGH) !== 0) {
        this.checkBytes(bases, j * 4, j * 4 + 4); // b < '!' or b ≥ 0x7f somewhere: find it
      }
      dst[j] = w ^ ((atLeastA & ~pastZ) >>> 2); // 0x80 >>> 2 = 0x20, the case bit
    }
    for (let i = words * 4; i < n; i++) {
      const v = UPPER[bases[i]!]!;
      if (v === 0) throw this.badByte(bases[i]!, this.position + i);
      upper[i] = v;
    }
    const normalised = upper.subarray(0, n);
    this.md5.update(normalised);
    this.sha512.update(normalised);
  }

  private checkBytes(bases: Buffer, from: number, to: number): void {
    for (let i = from; i < to; i++) if (UPPER[bases[i]!] === 0) throw this.badByte(bases[i]!, this.position + i);
  }

  private badByte(b: number, at: number): DataError {
    const what =
      b === 0x0d
        ? 'a carriage return not followed by a line feed (old Mac line ends? convert them, e.g.: mac2unix)'
        : b === 0x20 || b === 0x09
          ? `a ${b === 0x20 ? 'space' : 'tab'} inside a sequence line (samtools would not count it as a base; remove it)`
          : `byte 0x${b.toString(16).padStart(2, '0')}, which is not a printable ASCII character (samtools would not count it as a base; is this a FASTA file?)`;
    return new DataError(`${this.source}: sequence "${this.name}" holds ${what} at base ${at} (0-based)`);
  }

  private async writeAll(bytes: Buffer, position: number): Promise<void> {
    for (let done = 0; done < bytes.length;) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, position + done);
      done += bytesWritten;
    }
  }
}
