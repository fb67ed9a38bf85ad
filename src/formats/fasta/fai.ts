/** The samtools .fai index: parsed, written, and checked against its FASTA. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DataError } from '../../core/errors.js';

/**
 * The samtools .fai index: read it, write it, and check cheaply at startup that it still
 * describes its FASTA file. Building one is in fai-build.ts.
 */
export interface FaiEntry {
  name: string;
  length: number;
  offset: number;
  lineBases: number;
  lineBytes: number;
}

const COLUMNS = ['name', 'length', 'offset', 'lineBases', 'lineBytes'] as const;
const DIGITS = /^\d+$/;
const LF = 0x0a;
const CR = 0x0d;

const rebuildHint = (fastaPath: string) => `rebuild the index with: samtools faidx ${fastaPath}`;
const fastaPathOf = (faiPath: string) => (faiPath.endsWith('.fai') ? faiPath.slice(0, -4) : faiPath);
const isLineEnd = (b: number) => b === LF || b === CR;

export function parseFai(text: string, faiPath: string): FaiEntry[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop(); // the final newline ends the last entry
  const firstLineOf = new Map<string, number>();
  const entries: FaiEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const entry = parseFaiLine(lines[i]!, faiPath, i + 1);
    const first = firstLineOf.get(entry.name);
    if (first !== undefined) throw faiLineError(faiPath, i + 1, `sequence "${entry.name}" is listed twice (first on line ${first})`);
    firstLineOf.set(entry.name, i + 1);
    entries.push(entry);
  }
  return entries;
}

function parseFaiLine(line: string, faiPath: string, lineNo: number): FaiEntry {
  const cols = (line.endsWith('\r') ? line.slice(0, -1) : line).split('\t'); // samtools reads CRLF indexes too
  if (cols.length === 6) {
    throw new DataError(
      `${faiPath} line ${lineNo}: 6 columns (with qualOffset) is a FASTQ index; seqserve serves FASTA only, index a FASTA file with: samtools faidx FILE.fa`,
    );
  }
  if (cols.length !== 5) throw faiLineError(faiPath, lineNo, `expected 5 tab-separated columns (${COLUMNS.join(', ')}), found ${cols.length}`);
  const name = cols[0]!;
  if (/\s/.test(name)) throw faiLineError(faiPath, lineNo, `sequence name ${JSON.stringify(name)} contains whitespace, which samtools never writes`);
  return {
    name,
    length: faiInteger(cols, 1, faiPath, lineNo),
    offset: faiInteger(cols, 2, faiPath, lineNo),
    lineBases: faiInteger(cols, 3, faiPath, lineNo),
    lineBytes: faiInteger(cols, 4, faiPath, lineNo),
  };
}

function faiInteger(cols: string[], column: 1 | 2 | 3 | 4, faiPath: string, lineNo: number): number {
  const value = cols[column]!;
  const n = Number(value);
  if (!DIGITS.test(value) || !Number.isSafeInteger(n)) {
    throw faiLineError(faiPath, lineNo, `${COLUMNS[column]} ${JSON.stringify(value)} of sequence "${cols[0]}" is not a non-negative integer`);
  }
  return n;
}

function faiLineError(faiPath: string, lineNo: number, problem: string): DataError {
  return new DataError(`${faiPath} line ${lineNo}: ${problem}; ${rebuildHint(fastaPathOf(faiPath))}`);
}

/** The same bytes samtools' fai_save writes (decode/encode names as UTF-8). */
export function formatFai(entries: readonly FaiEntry[]): string {
  return entries.map((e) => `${e.name}\t${e.length}\t${e.offset}\t${e.lineBases}\t${e.lineBytes}\n`).join('');
}

/** File bytes from `offset` to just after the last base; needs lineBases > 0 when length > 0. */
export function faiSpanBytes(entry: Pick<FaiEntry, 'length' | 'lineBases' | 'lineBytes'>): number {
  if (entry.length === 0) return 0;
  if (entry.lineBases <= 0) throw new RangeError(`lineBases must be positive for a sequence of ${entry.length} bases`);
  const fullLines = Math.floor((entry.length - 1) / entry.lineBases);
  return fullLines * entry.lineBytes + (entry.length - fullLines * entry.lineBases);
}

/** Small reads through one 1 KiB window (a header plus a first line): validation peeks at a few bytes per sequence, mostly in file order. */
class FilePeeker {
  private readonly window = Buffer.allocUnsafe(1024);
  private start = 0;
  private end = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  /** Up to `length` (≤ 1024) bytes at `pos`; fewer at the end of the file. */
  bytes(pos: number, length: number): Buffer {
    if (pos < this.start || pos + length > this.end) {
      this.start = pos;
      this.end = pos + readSync(this.fd, this.window, 0, this.window.length, pos);
    }
    return this.window.subarray(pos - this.start, Math.min(this.end, pos + length) - this.start);
  }

  /** The byte at `pos`, or -1 outside the file. */
  byte(pos: number): number {
    return pos >= 0 && pos < this.size ? (this.bytes(pos, 1)[0] ?? -1) : -1;
  }
}

/** Cheap startup check (a few peeks per sequence, no scan) that the index still fits the FASTA file. */
export function validateFai(entries: readonly FaiEntry[], fastaPath: string, faiPath: string): void {
  const fd = openSync(fastaPath, 'r');
  try {
    const peek = new FilePeeker(fd, fstatSync(fd).size);
    for (const entry of entries) checkEntry(entry, peek, fastaPath, faiPath);
  } finally {
    closeSync(fd);
  }
}

function checkEntry(e: FaiEntry, peek: FilePeeker, fastaPath: string, faiPath: string): void {
  const fail = (problem: string) => new DataError(`${faiPath}: sequence "${e.name}" ${problem}; ${rebuildHint(fastaPath)}`);
  const { size } = peek;
  if (e.offset > size) throw fail(`offset ${e.offset} lies past the end of ${fastaPath} (${size} bytes)`);
  if (peek.byte(e.offset - 1) !== LF) throw fail(`offset ${e.offset} is not at the start of a line in ${fastaPath}`);
  if (e.lineBytes < e.lineBases) throw fail(`has lineBytes ${e.lineBytes} < lineBases ${e.lineBases}`);
  if (e.length > 0 && e.lineBases === 0) throw fail(`has ${e.length} bases but lineBases 0`);
  const end = e.offset + faiSpanBytes(e);
  if (end > size) throw fail(`of ${e.length} bases from offset ${e.offset} would end at byte ${end}, past the end of ${fastaPath} (${size} bytes)`);
  if (e.length > e.lineBases) {
    // Lines are found by arithmetic, so the first line's end must be exactly where the index says;
    // its last base is checked too, or a CRLF index could count the '\r' as a base.
    const eolBytes = e.lineBytes - e.lineBases;
    const eol = eolBytes <= 16 ? peek.bytes(e.offset + e.lineBases - 1, eolBytes + 1) : Buffer.alloc(0);
    if (eol.length !== eolBytes + 1 || isLineEnd(eol[0]!) || !eol.subarray(1).every(isLineEnd) || eol[eolBytes] !== LF) {
      throw fail(`lineBases ${e.lineBases} / lineBytes ${e.lineBytes} do not match the first line at offset ${e.offset} of ${fastaPath}`);
    }
  }
  if (e.length > 0 && isLineEnd(peek.byte(end - 1))) throw fail(`length ${e.length} counts line ends as bases (byte ${end - 1} of ${fastaPath})`);
  const after = peek.byte(end);
  if (after !== -1 && !isLineEnd(after)) throw fail(`length ${e.length} ends mid-line at byte ${end} of ${fastaPath}`);
}
