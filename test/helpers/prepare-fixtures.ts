/**
 * The FASTA files seqserve prepare is tested on: one writer per layout (line widths, CRLF, IUPAC,
 * soft-masking, N runs, empty and repeated records, many contigs, a 9 Mbp sequence), and a
 * simple writer for the tests of refusals and messages.
 */
import assert from 'node:assert/strict';
import { edgeLengths, prng, randInt, subDir, writeFasta, type FastaFixture, type RecordSpec } from './fasta-fixtures.js';
import { readFasta } from './naive-fasta.js';

function specs(names: string[], lengths: number[]): RecordSpec[] {
  return names.map((name, i) => ({ name, length: lengths[i]!, ...(i % 2 === 0 ? { description: `desc of ${name} x:y` } : {}) }));
}

/** prefix1, prefix2, … prefixN. */
export const named = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

interface FixtureKind {
  title: string;
  write(dir: string): FastaFixture;
  /** Also prepare with tiny read chunks, so lines, CRLFs and headers are split between chunks. */
  tinyChunks?: boolean;
}

export const fixtureKinds: FixtureKind[] = [
  {
    title: 'width 60, lowercase stretches, N runs, names that need URL escaping',
    tinyChunks: true,
    write: (dir) => {
      // 200 bytes is the longest name accepted (NAME.raw.tmp-PID.refget.tsv.tmp-PID must fit in 255).
      const names = ['chr1', 'chr2', 'gi|5524211|gb|AAD44166.1|', 'x%y', 'q?z', 'h#1', 'chr.M', 'name.fa', 'chrA', 'chra', 'L'.repeat(200), 'seq.raw'];
      return writeFasta(dir, 'w60.fa', {
        seed: 1,
        lineWidth: 60,
        lowercase: true,
        nRuns: true,
        records: specs(names, edgeLengths(prng(1), 60, names.length, 4000)),
      });
    },
  },
  {
    title: 'width 61, IUPAC mixed case, blank lines',
    write: (dir) =>
      writeFasta(dir, 'w61.fasta', {
        seed: 2,
        lineWidth: 61,
        alphabet: 'iupac',
        lowercase: true,
        blankLines: true,
        records: specs(named('w61_', 8), edgeLengths(prng(2), 61, 8, 3000)),
      }),
  },
  {
    title: 'width 80, IUPAC, lowercase, N runs',
    write: (dir) =>
      writeFasta(dir, 'w80.fna', {
        seed: 3,
        lineWidth: 80,
        alphabet: 'iupac',
        lowercase: true,
        nRuns: true,
        records: specs(named('w80_', 8), edgeLengths(prng(3), 80, 8, 5000)),
      }),
  },
  {
    title: 'width 1',
    tinyChunks: true,
    write: (dir) => writeFasta(dir, 'w1.fa', { seed: 4, lineWidth: 1, lowercase: true, records: specs(named('one_', 5), [1, 2, 3, 57, 301]) }),
  },
  {
    title: 'unwrapped',
    write: (dir) =>
      writeFasta(dir, 'unwrapped.fa', {
        seed: 5,
        lineWidth: 'unwrapped',
        lowercase: true,
        nRuns: true,
        records: specs(named('u_', 6), [1, 2, 60, 61, 777, 6000]),
      }),
  },
  {
    title: 'CRLF, width 60, blank CRLF lines',
    tinyChunks: true,
    write: (dir) =>
      writeFasta(dir, 'crlf.fa', {
        seed: 6,
        lineWidth: 60,
        crlf: true,
        blankLines: true,
        alphabet: 'iupac',
        lowercase: true,
        nRuns: true,
        records: specs(named('crlf_', 8), edgeLengths(prng(6), 60, 8, 3000)),
      }),
  },
  {
    title: 'CRLF, unwrapped, no final line end',
    tinyChunks: true,
    write: (dir) =>
      writeFasta(dir, 'crlf-unwrapped.fa', {
        seed: 7,
        lineWidth: 'unwrapped',
        crlf: true,
        finalNewline: false,
        lowercase: true,
        records: specs(named('cu_', 4), [1, 777, 61, 2500]),
      }),
  },
  {
    title: 'width 70, short last lines, no final line end',
    write: (dir) =>
      writeFasta(dir, 'nofinal.fa', {
        seed: 8,
        lineWidth: 70,
        finalNewline: false,
        alphabet: 'iupac',
        records: specs(named('nf_', 5), [71, 139, 1, 700, 1234]),
      }),
  },
  {
    title: 'many sequences: 600 contigs',
    write: (dir) => {
      const rng = prng(9);
      const names = Array.from({ length: 600 }, (_, i) => `contig_${String(i).padStart(4, '0')}`);
      return writeFasta(dir, 'contigs.fa', {
        seed: 9,
        lineWidth: 60,
        lowercase: true,
        nRuns: true,
        records: specs(
          names,
          names.map(() => randInt(rng, 1, 300)),
        ),
      });
    },
  },
  {
    title: 'empty records and repeated names',
    write: (dir) =>
      writeFasta(dir, 'empties.fa', {
        seed: 10,
        lineWidth: 50,
        lowercase: true,
        records: [
          { name: 'gap0', length: 0 },
          { name: 'first', length: 120, description: 'kept' },
          { name: 'gap', length: 0, description: 'no bases' },
          { name: 'second', length: 75 },
          { name: 'first', length: 40, description: 'repeated: skipped' },
          { name: 'late', length: 0 },
          { name: 'late', length: 33, description: 'the first with bases wins' },
          { name: 'tail', length: 51 },
        ],
      }),
  },
  {
    title: 'a 9 Mbp sequence (more than two 4 MiB output buffers) and a small one',
    write: (dir) =>
      writeFasta(dir, 'big.fa', {
        seed: 11,
        lineWidth: 60,
        lowercase: true,
        nRuns: true,
        records: [
          { name: 'big', length: 9_000_001 },
          { name: 'small', length: 10 },
        ],
      }),
  },
];

/** A 60-column, soft-masked FASTA of the given records (in.fa unless named). */
export const simpleFasta = (dir: string, records: RecordSpec[], fileName = 'in.fa'): FastaFixture =>
  writeFasta(dir, fileName, { seed: 42, lineWidth: 60, lowercase: true, records });

/**
 * Writes a kind's FASTA into ROOT/kind-INDEX/fasta and reads it back with the naive reader; the
 * generator's own record must agree with it: two oracles, one answer.
 */
export function writeKind(root: string, kind: FixtureKind, index: number): { dir: string; fixture: FastaFixture; expected: Map<string, string> } {
  const dir = subDir(root, `kind-${index}`);
  const fixture = kind.write(subDir(dir, 'fasta'));
  const expected = readFasta(fixture.path);
  assert.deepEqual([...expected.keys()], [...fixture.sequences.keys()], 'naive reader and generator agree on the names');
  for (const [name, s] of expected) assert.ok(fixture.sequences.get(name) === s, `naive reader and generator agree on ${name}`);
  return { dir, fixture, expected };
}
