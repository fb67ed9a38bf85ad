/**
 * The FASTA state machine of `seqserve prepare`: bytes in, one raw file per sequence (under
 * temporary names, in an OutputFolder) out, reading a FASTA exactly as the catalog and samtools
 * faidx do, so the prepared folder serves what the FASTA served.
 */
import { DataError } from '../core/errors.js';
import type { OutputFolder } from './output-folder.js';
import { OutputBuffers, SequenceOutput } from './sequence-output.js';
import { mbPerSecond, type PrepareLog, type PreparedSequence } from './summary.js';

const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const AT = 0x40;
/** Header bytes kept: enough for any name a file can hold, however much description follows. */
const MAX_HEADER_BYTES = 4096;
const CR_BYTE = Buffer.from([CR]);
const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d); // C isspace(), as samtools

interface Header {
  name: string;
  nameBytes: Buffer;
  line: number;
}

/**
 * As samtools reads a FASTA: the name is the header up to the first whitespace; LF or CRLF, blank
 * lines skipped, any line lengths, case kept; a non-printable byte in a sequence line is refused; a
 * repeated name keeps the first record and a record without bases is skipped (both warned). A name
 * that cannot be a file name is refused (OutputFolder.create): the catalog decodes nothing.
 */
export class FastaSplitter {
  private state: 'lineStart' | 'header' | 'sequence' = 'lineStart';
  private lineNo = 1;
  private pendingCr = false;
  private headerParts: Buffer[] = [];
  private headerBytes = 0;
  private headerLine = 0;
  private record: Header | undefined;
  /** undefined: no base seen yet for `record`; 'skip': a repeated name. */
  private out: SequenceOutput | 'skip' | undefined;
  private outStarted = 0;
  private readonly buffers = new OutputBuffers();
  private readonly written = new Set<string>();
  readonly sequences: PreparedSequence[] = [];
  readonly skippedEmpty: string[] = [];
  readonly skippedDuplicates: string[] = [];

  constructor(
    private readonly input: string,
    private readonly folder: OutputFolder,
    private readonly log: PrepareLog,
  ) {}

  async chunk(c: Buffer): Promise<void> {
    const n = c.length;
    let i = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (c[0] !== LF) await this.bases(CR_BYTE, 0, 1); // refused as a base, with its message
    }
    while (i < n) {
      if (this.state === 'lineStart') {
        if (c[i] === GT) {
          this.state = 'header';
          this.headerParts = [];
          this.headerBytes = 0;
          this.headerLine = this.lineNo;
          i++;
          continue;
        }
        this.state = 'sequence';
      }
      const newline = c.indexOf(LF, i);
      const end = newline === -1 ? n : newline;
      if (this.state === 'header') {
        if (this.headerBytes < MAX_HEADER_BYTES && end > i) {
          const take = Math.min(end, i + MAX_HEADER_BYTES - this.headerBytes);
          this.headerParts.push(Buffer.from(c.subarray(i, take))); // copied: the chunk is not ours to keep
          this.headerBytes += take - i;
        }
        if (newline === -1) return;
        await this.header();
      } else {
        let e = end;
        if (e > i && c[e - 1] === CR) {
          e--;
          if (newline === -1) this.pendingCr = true; // a CRLF split between chunks, or a lone CR
        }
        const out = this.out;
        if (typeof out === 'object') {
          // The hot path: no promise per line, only per full buffer.
          for (let s = i; s < e;) {
            s += out.add(c, s, e);
            if (out.full) await out.flush();
          }
        } else if (e > i) {
          await this.bases(c, i, e);
        }
        if (newline === -1) return;
      }
      this.lineNo++;
      this.state = 'lineStart';
      i = newline + 1;
    }
  }

  /** At the end of the input. */
  async end(): Promise<void> {
    // A CR at the very end ends the last line; a header without a line end is still a header.
    this.pendingCr = false;
    if (this.state === 'header') await this.header();
    await this.endRecord();
    if (this.sequences.length === 0) {
      const why = this.skippedEmpty.length > 0 ? 'every record is empty' : 'expected ">name" header lines followed by sequence lines';
      throw new DataError(`${this.input}: no FASTA sequence with bases found (${why}); is this a FASTA file?`);
    }
  }

  /** After a failure: the file being written is closed (the caller removes the temporaries). */
  async abort(): Promise<void> {
    if (typeof this.out === 'object') await this.out.abort();
    this.out = undefined;
  }

  private async header(): Promise<void> {
    await this.endRecord();
    const h = Buffer.concat(this.headerParts);
    let start = 0;
    while (start < h.length && isSpace(h[start]!)) start++;
    let end = start;
    while (end < h.length && !isSpace(h[end]!)) end++;
    const nameBytes = h.subarray(start, end);
    this.record = { name: nameBytes.toString('utf8'), nameBytes, line: this.headerLine };
    this.out = undefined;
    this.headerParts = [];
  }

  /** Bases when no output is open: before any header (an error), or the first of a record. */
  private async bases(c: Buffer, start: number, end: number): Promise<void> {
    if (this.record === undefined) {
      const first = c[start]!;
      if (first === AT && this.lineNo === 1) throw new DataError(`${this.input}: line 1 starts with '@', so this is FASTQ; prepare reads FASTA only`);
      throw new DataError(`${this.input}: line ${this.lineNo} holds bases before any ">name" header; is this a FASTA file?`);
    }
    if (this.out === undefined) this.out = await this.openRecord(this.record);
    const out = this.out;
    if (out === 'skip') return;
    for (let s = start; s < end;) {
      s += out.add(c, s, end);
      if (out.full) await out.flush();
    }
  }

  private async openRecord({ name, nameBytes, line }: Header): Promise<SequenceOutput | 'skip'> {
    const where = `${this.input} line ${line}`;
    if (this.written.has(name)) {
      this.log.warn(`${where}: skipping repeated sequence "${name}"; the first one is kept, as samtools faidx does; rename it in the FASTA to keep both`);
      this.skippedDuplicates.push(name);
      return 'skip';
    }
    const { tmp, handle } = await this.folder.create(name, nameBytes, where);
    this.written.add(name);
    this.outStarted = performance.now();
    return new SequenceOutput(name, this.input, tmp, handle, this.buffers);
  }

  private async endRecord(): Promise<void> {
    const record = this.record;
    const out = this.out;
    this.record = undefined;
    this.out = undefined;
    if (record === undefined) return;
    if (out === undefined) {
      this.log.warn(`${this.input} line ${record.line}: skipping sequence "${record.name}": it has no bases (samtools faidx does not index it either)`);
      this.skippedEmpty.push(record.name);
      return;
    }
    if (out === 'skip') return;
    const length = out.length;
    let digests;
    try {
      digests = await out.finish();
    } catch (e) {
      await out.abort();
      throw e;
    }
    const file = this.folder.stage(record.name, length, out.path, digests);
    this.sequences.push({ name: record.name, length, file, ...digests });
    const ms = performance.now() - this.outStarted;
    this.log.info(`${record.name}: ${length} bases, ${(ms / 1000).toFixed(2)} s, ${mbPerSecond(length, ms)} MB/s`);
  }
}
