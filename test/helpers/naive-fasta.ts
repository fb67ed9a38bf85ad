/**
 * A deliberately simple, independent oracle for FASTA and raw files: read the whole file,
 * split it into lines, glue the bases together. Nothing here may import server code (src/,
 * routes/): it is what the server's answers are checked against.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** One record of a FASTA file, as written, in file order (duplicates and empty records kept). */
export interface NaiveRecord {
  name: string;
  sequence: string;
}

/** Every record of a FASTA file in file order. Lines may end in \n or \r\n; blank lines are skipped. */
export function readFastaRecords(file: string): NaiveRecord[] {
  // latin1: one character per byte, so a string index is a byte index.
  const text = readFileSync(file, 'latin1');
  const records: NaiveRecord[] = [];
  let current: { name: string; parts: string[] } | undefined;
  const flush = () => {
    if (current) records.push({ name: current.name, sequence: current.parts.join('') });
  };
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.startsWith('>')) {
      flush();
      // The name is the header text up to the first whitespace (leading blanks skipped).
      const name = line.slice(1).trimStart().split(/\s/)[0] ?? '';
      current = { name, parts: [] };
    } else if (line.length > 0) {
      if (!current) throw new Error(`${file}: bases before the first header`);
      current.parts.push(line);
    }
  }
  flush();
  return records;
}

/**
 * The sequences a FASTA file serves, by name, as samtools faidx sees them: the FIRST record of a
 * duplicated name wins, and records without bases are left out (samtools does not index them).
 */
export function readFasta(file: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of readFastaRecords(file)) {
    if (r.sequence.length === 0) continue;
    if (!out.has(r.name)) out.set(r.name, r.sequence);
  }
  return out;
}

/** A raw file: the bytes are the bases, no header, no newlines. */
export function readRaw(file: string): string {
  return readFileSync(file, 'latin1');
}

/** The name a raw file is served under: its file name without the extension. */
export function rawName(file: string): string {
  return basename(file).replace(/\.[^.]*$/, '');
}

/** Complement table of our own, written out pair by pair; case is kept, U pairs with A. */
const COMPLEMENT: Record<string, string> = {
  A: 'T',
  T: 'A',
  C: 'G',
  G: 'C',
  R: 'Y',
  Y: 'R',
  K: 'M',
  M: 'K',
  B: 'V',
  V: 'B',
  D: 'H',
  H: 'D',
  S: 'S',
  W: 'W',
  N: 'N',
  U: 'A',
  a: 't',
  t: 'a',
  c: 'g',
  g: 'c',
  r: 'y',
  y: 'r',
  k: 'm',
  m: 'k',
  b: 'v',
  v: 'b',
  d: 'h',
  h: 'd',
  s: 's',
  w: 'w',
  n: 'n',
  u: 'a',
};

/** Reverse complement, IUPAC-aware and case-keeping; any other character is kept as is. */
export function reverseComplement(s: string): string {
  let out = '';
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s[i]!;
    out += COMPLEMENT[c] ?? c;
  }
  return out;
}
