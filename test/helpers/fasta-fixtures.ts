/**
 * Seeded generators of FASTA and raw sequence files for tests. Each returns the path it wrote and
 * the sequences as generated: a second oracle besides the naive reader (naive-fasta.ts).
 * Nothing here imports server code but the seeded PRNG (src/core/mulberry32.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../../src/core/mulberry32.js';

/** Seeded, so that every run generates the same files. */
export const prng = mulberry32;

/** An integer in [min, max], both included. */
export function randInt(rng: () => number, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export type Alphabet = 'acgt' | 'iupac';

export interface BasesOptions {
  /** 'acgt' (default) or 'iupac': A C G T U and every ambiguity code R Y K M S W B D H V N. */
  alphabet?: Alphabet;
  /** Stretches of lowercase (soft-masked) bases. */
  lowercase?: boolean;
  /** Runs of N (n inside lowercase stretches), as in assembly gaps. */
  nRuns?: boolean;
}

const ACGT = 'ACGT';
const IUPAC = 'ACGTURYKMSWBDHVN';

/** Random bases with the requested features. */
export function randomBases(rng: () => number, length: number, options: BasesOptions = {}): string {
  const alphabet = options.alphabet === 'iupac' ? IUPAC : ACGT;
  const out: string[] = [];
  let lower = false;
  while (out.length < length) {
    if (options.lowercase && rng() < 0.01) lower = !lower;
    if (options.nRuns && rng() < 0.004) {
      const run = Math.min(length - out.length, randInt(rng, 1, 250));
      for (let k = 0; k < run; k++) out.push(lower ? 'n' : 'N');
      continue;
    }
    const c = alphabet[Math.floor(rng() * alphabet.length)]!;
    out.push(lower ? c.toLowerCase() : c);
  }
  return out.join('');
}

export interface RecordSpec {
  name: string;
  /** 0 writes a header with no bases. */
  length: number;
  /** Text after the name on the header line (after a space or a tab). */
  description?: string;
}

export interface FastaOptions extends BasesOptions {
  seed: number;
  /** Bases per line, or 'unwrapped' for the whole sequence on one line. */
  lineWidth: number | 'unwrapped';
  /** \r\n line ends. */
  crlf?: boolean;
  /** A blank line after every record, and a few more at the end of the file (samtools allows both). */
  blankLines?: boolean;
  /** Whether the file ends with a line end (default true). */
  finalNewline?: boolean;
  records: RecordSpec[];
}

export interface GeneratedRecord {
  name: string;
  sequence: string;
}

export interface FastaFixture {
  path: string;
  lineWidth: number | 'unwrapped';
  /** Every record as written, in file order (empty records and duplicated names kept). */
  records: GeneratedRecord[];
  /**
   * What the file serves, as samtools faidx indexes it: first record of a name wins; records
   * without bases are not indexed.
   */
  sequences: Map<string, string>;
}

/** Writes a FASTA file and returns what it holds. */
export function writeFasta(dir: string, fileName: string, options: FastaOptions): FastaFixture {
  const rng = prng(options.seed);
  const eol = options.crlf ? '\r\n' : '\n';
  const lines: string[] = [];
  const records: GeneratedRecord[] = [];
  for (const spec of options.records) {
    const sequence = randomBases(rng, spec.length, options);
    records.push({ name: spec.name, sequence });
    const sep = rng() < 0.5 ? ' ' : '\t';
    lines.push(`>${spec.name}${spec.description !== undefined ? sep + spec.description : ''}`);
    const width = options.lineWidth === 'unwrapped' ? Math.max(1, sequence.length) : options.lineWidth;
    for (let i = 0; i < sequence.length; i += width) lines.push(sequence.slice(i, i + width));
    if (options.blankLines) lines.push('');
  }
  if (options.blankLines) lines.push('', '');
  let text = lines.join(eol);
  if (options.finalNewline !== false) text += eol;
  const path = join(dir, fileName);
  writeFileSync(path, text, 'latin1');
  const sequences = new Map<string, string>();
  for (const r of records) if (r.sequence.length > 0 && !sequences.has(r.name)) sequences.set(r.name, r.sequence);
  return { path, lineWidth: options.lineWidth, records, sequences };
}

export interface RawFixture {
  path: string;
  /** File name without the extension. */
  name: string;
  sequence: string;
}

/** Writes a raw sequence file (bases only: no header, no newlines). */
export function writeRaw(dir: string, name: string, options: BasesOptions & { seed: number; length: number }): RawFixture {
  const sequence = randomBases(prng(options.seed), options.length, options);
  const path = join(dir, `${name}.raw`);
  writeFileSync(path, sequence, 'latin1');
  return { path, name, sequence };
}

/**
 * Lengths that hit the line-layout edge cases for a width w (1, w-1, w, w+1, 2w, 2w+1, ...) and
 * then random ones in [1, max]; all at least 1.
 */
/** Sequence lines of `width` bases, each ended by '\n', as a FASTA file holds them. */
export function wrap(sequence: string, width: number): string {
  let out = '';
  for (let i = 0; i < sequence.length; i += width) out += sequence.slice(i, i + width) + '\n';
  return out;
}

export function edgeLengths(rng: () => number, lineWidth: number | 'unwrapped', count: number, max: number): number[] {
  const w = lineWidth === 'unwrapped' ? 60 : lineWidth;
  const edges = [1, w - 1, w, w + 1, 2 * w, 2 * w + 1, 3 * w - 1, 7 * w, 7 * w + 3].filter((n) => n >= 1 && n <= max);
  const out = [...new Set(edges)];
  while (out.length < count) out.push(randInt(rng, 1, max));
  // Shuffle so edge lengths do not always sit at the start of the file.
  for (let i = out.length - 1; i > 0; i--) {
    const j = randInt(rng, 0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out.slice(0, count);
}

/** A fresh temporary folder; remove it with removeDir. */
export function tempDir(prefix = 'seqserve-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A new, empty sub-folder of dir. */
export function subDir(dir: string, name: string): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  return path;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
