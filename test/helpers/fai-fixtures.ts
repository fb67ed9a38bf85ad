import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { mulberry32 } from '../../src/core/mulberry32.js';

/**
 * FASTA files for test/fai.test.ts, each an odd case whose .fai must match the real
 * `samtools faidx` byte for byte, or which samtools refuses. Built from a seeded PRNG so a
 * failure reproduces.
 */
export interface FaiFixture {
  name: string;
  content: string | Buffer;
  /** When samtools refuses the file: the sequence (or, with no sequence yet, the line) our DataError must name. */
  refused?: { sequence?: string; line?: number };
  /** samtools indexes it, seqserve refuses it on purpose (the DataError must contain this). */
  ourRefusal?: string;
  /** samtools indexes it but its index cannot be used for arithmetic lookups, so validateFai refuses it. */
  unservable?: boolean;
}

/** Seeded, so that every run generates the same files. */
export const seededRandom = mulberry32;

const ACGT = 'ACGT';
const SOFT_MASKED = 'ACGTacgtNn';
const IUPAC = 'ACGTRYSWKMBDHVNacgtryswkmbdhvn-*';

export function randomBases(random: () => number, length: number, alphabet = ACGT): string {
  let out = '';
  while (out.length < length) {
    // Runs of N, as in real assemblies' gaps.
    if (random() < 0.01) out += 'N'.repeat(1 + Math.floor(random() * 300));
    else out += alphabet[Math.floor(random() * alphabet.length)];
  }
  return out.slice(0, length);
}

/** One record: the header line, then the bases cut into lines of `width` (0 = one unwrapped line). */
export function record(header: string, bases: string, width: number, eol = '\n'): string {
  const lines: string[] = [];
  const step = width > 0 ? width : Math.max(bases.length, 1);
  for (let i = 0; i < bases.length; i += step) lines.push(bases.slice(i, i + step));
  return `>${header}${eol}${lines.map((line) => line + eol).join('')}`;
}

/** Many records of random lengths and widths, `eol` line endings. */
export function randomGenome(seed: number, records: number, maxLength: number, eol = '\n', alphabet = SOFT_MASKED): string {
  const random = seededRandom(seed);
  const parts: string[] = [];
  for (let i = 0; i < records; i++) {
    const width = [1, 7, 50, 60, 61, 70, 80, 0][Math.floor(random() * 8)]!;
    const length = 1 + Math.floor(random() * maxLength);
    const description = random() < 0.5 ? ` len=${length}\tseed=${seed}` : '';
    parts.push(record(`seq${i}_${seed}${description}`, randomBases(random, length, alphabet), width, eol));
  }
  return parts.join('');
}

export function faiFixtures(): FaiFixture[] {
  const r = seededRandom(20240611);
  const bases = (n: number, alphabet = ACGT) => randomBases(r, n, alphabet);
  const lf = (...records: string[]) => records.join('');
  return [
    { name: 'lf-wrapped-60', content: lf(record('chr1', bases(1000), 60), record('chr2', bases(59), 60), record('chr3', bases(61), 60)) },
    { name: 'crlf-wrapped-70', content: lf(record('chr1', bases(1000), 70, '\r\n'), record('chr2 desc', bases(141), 70, '\r\n')) },
    { name: 'width-1', content: lf(record('a', bases(10), 1), record('b', bases(1), 1)) },
    { name: 'width-1-crlf', content: lf(record('a', bases(10), 1, '\r\n'), record('b', bases(3), 1, '\r\n')) },
    { name: 'unwrapped', content: lf(record('long', bases(100_000), 0), record('short', bases(3), 0)) },
    { name: 'full-last-line', content: lf(record('a', bases(120), 60), record('b', bases(60), 60)) },
    { name: 'lowercase-n-runs-iupac', content: lf(record('soft', bases(5000, SOFT_MASKED), 60), record('iupac', bases(777, IUPAC), 50)) },
    { name: 'many-sequences', content: randomGenome(7, 3000, 300) },
    { name: 'random-crlf', content: randomGenome(8, 300, 2000, '\r\n') },
    { name: 'empty-sequence-mid', content: lf('>empty\n', record('b', bases(100), 60)) }, // samtools drops it silently
    { name: 'empty-sequence-blank-line', content: lf(record('a', bases(80), 60), '>empty\n\n', record('b', bases(100), 60)) },
    { name: 'empty-sequence-crlf-blank', content: lf('>empty\r\n\r\n', record('b', bases(9), 4, '\r\n')) }, // length 0, lineBytes 2
    {
      name: 'blank-lines-after-sequences',
      content: lf(record('a', bases(130), 60), '\n\n', record('b', bases(60), 60), '\n', record('c', bases(7), 60), '\n\n'),
    },
    { name: 'blank-lines-crlf', content: lf(record('a', bases(130), 60, '\r\n'), '\r\n\r\n', record('b', bases(5), 60, '\r\n'), '\r\n') },
    { name: 'bare-gt-header', content: lf('>\n', bases(8), '\n') }, // name ""
    { name: 'gt-and-space-header', content: lf('> \t\n', bases(8), '\n') }, // name ""
    { name: 'leading-spaces', content: lf('>  foo bar\n', bases(8), '\n') }, // name "foo"
    { name: 'description-after-tab', content: lf('>chr1\tsome description here\n', bases(70), '\n') },
    { name: 'duplicate-names', content: lf(record('a', bases(50), 20), record('a', bases(30), 20), record('b', bases(10), 20)) },
    { name: 'no-trailing-newline-short', content: `>a\n${bases(60)}\n${bases(7)}` },
    { name: 'no-trailing-newline-full', content: `>a\n${bases(60)}\n${bases(60)}` },
    { name: 'no-trailing-newline-single-line', content: `>a\n${bases(4)}` }, // lineBytes 5: samtools counts a newline that is not there
    { name: 'no-trailing-newline-crlf', content: `>a\r\n${bases(4)}\r\n${bases(2)}\r` },
    { name: 'lone-gt-at-end', content: lf(record('a', bases(20), 10), '>') },
    { name: 'gt-inside-sequence', content: lf('>a\nAC>T\nACGT\n') },
    { name: 'utf8-name', content: lf(record('chrΩ_é', bases(30), 10)) },
    { name: 'spaces-in-sequence', content: '>a\nAC T\nACGT\nA\n', unservable: true },
    { name: 'carriage-return-line-start', content: '>a\nACGT\n\rA\n', unservable: true },
    { name: 'high-bytes-in-sequence', content: Buffer.concat([Buffer.from('>a\nAC'), Buffer.from([0xe9, 0x01]), Buffer.from('\nACGT\n')]), unservable: true },
    { name: 'big-lf', content: randomGenome(11, 40, 400_000) }, // spans several default 4 MiB chunks
    { name: 'big-crlf', content: randomGenome(12, 40, 400_000, '\r\n') },
    { name: 'refuse-longer-line', content: lf(record('a', bases(20), 10), '>chr2\nACGT\nACGTA\n'), refused: { sequence: 'chr2' } },
    { name: 'refuse-longer-last-line-at-eof', content: '>chrL\nACGT\nACGTA', refused: { sequence: 'chrL' } },
    { name: 'refuse-inlined-blank-line', content: lf('>chr1\nACGT\n\nACGT\n'), refused: { sequence: 'chr1' } },
    { name: 'refuse-bases-after-short-line', content: lf('>chr1\nACGT\nAC\nACGT\n'), refused: { sequence: 'chr1' } },
    { name: 'refuse-crlf-blank-first-line', content: lf('>chr1\r\n\r\nACGT\r\n'), refused: { sequence: 'chr1' } },
    { name: 'refuse-lone-carriage-return', content: lf('>chr1\nACGT\n\n\rA\n'), refused: { sequence: 'chr1' } },
    { name: 'refuse-empty-last-sequence', content: lf(record('a', bases(20), 10), '>chrE\n'), refused: { sequence: 'chrE' } },
    { name: 'refuse-header-at-eof', content: lf(record('a', bases(20), 10), '>chrH'), refused: { sequence: 'chrH' } },
    { name: 'refuse-header-at-eof-description', content: lf(record('a', bases(20), 10), '>chrH desc'), refused: { sequence: 'chrH' } },
    { name: 'refuse-text-before-header', content: 'hello\n>a\nACGT\n', refused: { line: 1 } },
    { name: 'refuse-at-in-fasta', content: lf('>chr1\nACGT\n\n@b\nAC\n'), refused: { sequence: 'chr1' } },
    { name: 'refuse-empty-file', content: '', refused: {} },
    { name: 'refuse-blank-only', content: '\n\n', refused: {} },
    { name: 'fastq', content: '@r1\nACGT\n+\nIIII\n', ourRefusal: 'FASTQ' },
  ];
}

export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'seqserve-fai-'));
}

export function hasSamtools(): boolean {
  return spawnSync('samtools', ['--version'], { stdio: 'ignore' }).status === 0;
}

export type SamtoolsResult = { ok: true; fai: Buffer } | { ok: false; stderr: string };

/** Runs the real `samtools faidx` on a copy in its own folder, so it cannot touch `fastaPath`. */
export function samtoolsFaidx(fastaPath: string): SamtoolsResult {
  const dir = `${fastaPath}.samtools`;
  mkdirSync(dir, { recursive: true });
  const copy = join(dir, basename(fastaPath));
  copyFileSync(fastaPath, copy);
  const run = spawnSync('samtools', ['faidx', copy], { encoding: 'utf8' });
  if (run.status === 0 && existsSync(`${copy}.fai`)) return { ok: true, fai: readFileSync(`${copy}.fai`) };
  return { ok: false, stderr: `${run.stderr}` };
}

export function writeFixture(dir: string, fixture: FaiFixture): string {
  const path = join(dir, `${fixture.name}.fa`);
  writeFileSync(path, fixture.content);
  return path;
}
