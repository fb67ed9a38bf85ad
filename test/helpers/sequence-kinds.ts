/**
 * The fixture kinds of test/sequences.test.ts: file layouts (line widths, line ends, alphabets,
 * empty and duplicated records, raw files), each written to a folder of its own and served by an
 * app of its own, with how many queries to ask of each sequence.
 */
import { edgeLengths, prng, randInt, writeFasta, writeRaw, type FastaFixture, type RawFixture, type RecordSpec } from './fasta-fixtures.js';

export interface Files {
  fastas: FastaFixture[];
  raws: RawFixture[];
}

export interface Kind {
  title: string;
  write(dir: string): Files;
  /** Random single bases and random ranges asked per sequence (edge cases come on top). */
  bases: number;
  ranges: number;
  /** Only this many sequences (spread over the file) get the full set of queries; the others a
   * light set (one base, the whole range, one reverse-complemented range). Default: all. */
  detailed?: number;
}

function specs(names: string[], lengths: number[], withDescriptions = true): RecordSpec[] {
  return names.map((name, i) => ({
    name,
    length: lengths[i]!,
    ...(withDescriptions && i % 2 === 0 ? { description: `description of ${name} len=${lengths[i]} x:y` } : {}),
  }));
}

function named(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
}

export const kinds: Kind[] = [
  {
    title: 'width 60, ACGT with lowercase stretches and N runs (.fa)',
    bases: 40,
    ranges: 40,
    write: (dir) => {
      // Names that need escaping in a URL path ('|', '/', '%', '?', '#') are served too.
      const names = ['chr1', 'chr2', 'gi|5524211|gb|AAD44166.1|', 'scaffold-7.2', 'chrUn_KI270302v1', 'a/b', 'x%y', 'q?z', 'h#1', ...named('s', 4)];
      const lengths = edgeLengths(prng(1), 60, names.length, 4000);
      return { fastas: [writeFasta(dir, 'genome.fa', { seed: 11, lineWidth: 60, lowercase: true, nRuns: true, records: specs(names, lengths) })], raws: [] };
    },
  },
  {
    title: 'width 61, IUPAC mixed case, blank lines between records (.fasta)',
    bases: 40,
    ranges: 40,
    write: (dir) => {
      const names = named('w61_', 10);
      const lengths = edgeLengths(prng(2), 61, names.length, 3000);
      return {
        fastas: [
          writeFasta(dir, 'w61.fasta', { seed: 12, lineWidth: 61, alphabet: 'iupac', lowercase: true, blankLines: true, records: specs(names, lengths) }),
        ],
        raws: [],
      };
    },
  },
  {
    title: 'width 80, IUPAC, lowercase, N runs (.fna)',
    bases: 40,
    ranges: 40,
    write: (dir) => {
      const names = named('w80_', 10);
      const lengths = edgeLengths(prng(3), 80, names.length, 5000);
      return {
        fastas: [writeFasta(dir, 'w80.fna', { seed: 13, lineWidth: 80, alphabet: 'iupac', lowercase: true, nRuns: true, records: specs(names, lengths) })],
        raws: [],
      };
    },
  },
  {
    title: 'width 1 (one base per line)',
    bases: 40,
    ranges: 40,
    write: (dir) => {
      const names = named('one_', 6);
      const lengths = [1, 2, 3, ...edgeLengths(prng(4), 1, 3, 400)];
      return { fastas: [writeFasta(dir, 'w1.fa', { seed: 14, lineWidth: 1, lowercase: true, records: specs(names, lengths) })], raws: [] };
    },
  },
  {
    title: 'unwrapped (whole sequence on one line)',
    bases: 40,
    ranges: 40,
    write: (dir) => {
      const names = named('unwrapped_', 8);
      const lengths = [1, 2, ...edgeLengths(prng(5), 'unwrapped', 6, 6000)];
      return {
        fastas: [writeFasta(dir, 'unwrapped.fa', { seed: 15, lineWidth: 'unwrapped', lowercase: true, nRuns: true, records: specs(names, lengths) })],
        raws: [],
      };
    },
  },
  {
    title: 'CRLF, width 60, IUPAC mixed case, blank CRLF lines between records',
    bases: 40,
    ranges: 40,
    write: (dir) => {
      const names = named('crlf_', 10);
      const lengths = edgeLengths(prng(6), 60, names.length, 3000);
      return {
        fastas: [
          writeFasta(dir, 'crlf.fa', {
            seed: 16,
            lineWidth: 60,
            crlf: true,
            blankLines: true,
            alphabet: 'iupac',
            lowercase: true,
            nRuns: true,
            records: specs(names, lengths),
          }),
        ],
        raws: [],
      };
    },
  },
  {
    title: 'CRLF, unwrapped, no final line end',
    bases: 30,
    ranges: 30,
    write: (dir) => {
      const names = named('crlf_unwrapped_', 4);
      const lengths = [1, 777, 61, 2500];
      return {
        fastas: [
          writeFasta(dir, 'crlf-unwrapped.fa', {
            seed: 17,
            lineWidth: 'unwrapped',
            crlf: true,
            finalNewline: false,
            lowercase: true,
            records: specs(names, lengths),
          }),
        ],
        raws: [],
      };
    },
  },
  {
    title: 'width 70, short last lines, no final line end',
    bases: 30,
    ranges: 30,
    write: (dir) => {
      const names = named('nofinal_', 5);
      const lengths = [71, 139, 1, 700, 1234];
      return {
        fastas: [writeFasta(dir, 'nofinal.fa', { seed: 18, lineWidth: 70, finalNewline: false, alphabet: 'iupac', records: specs(names, lengths, false) })],
        raws: [],
      };
    },
  },
  {
    title: 'many sequences: 2,000 small contigs in one file',
    bases: 1,
    ranges: 2,
    detailed: 150,
    write: (dir) => {
      const rng = prng(7);
      const names = Array.from({ length: 2000 }, (_, i) => `contig_${String(i).padStart(5, '0')}`);
      const lengths = names.map(() => randInt(rng, 1, 300));
      return {
        fastas: [writeFasta(dir, 'contigs.fa', { seed: 19, lineWidth: 60, lowercase: true, nRuns: true, records: specs(names, lengths, false) })],
        raws: [],
      };
    },
  },
  {
    title: 'empty records and duplicated names in one FASTA',
    bases: 20,
    ranges: 20,
    write: (dir) => {
      // samtools faidx does not index a header without bases, and keeps the first of a duplicated
      // name (with a warning); a file whose LAST record is empty cannot be indexed at all.
      const records: RecordSpec[] = [
        { name: 'first', length: 120, description: 'kept' },
        { name: 'gap', length: 0, description: 'header with no bases' },
        { name: 'second', length: 75 },
        { name: 'first', length: 40, description: 'duplicate: samtools ignores it' },
        { name: 'gap2', length: 0 },
        { name: 'single', length: 1 },
        { name: 'tail', length: 51 },
      ];
      return { fastas: [writeFasta(dir, 'empties.fa', { seed: 20, lineWidth: 50, lowercase: true, records })], raws: [] };
    },
  },
  {
    title: 'raw files (with an empty one) beside a small FASTA',
    bases: 40,
    ranges: 40,
    write: (dir) => ({
      fastas: [writeFasta(dir, 'mixed.fa', { seed: 21, lineWidth: 60, records: specs(['mixed1', 'mixed2'], [130, 61]) })],
      raws: [
        writeRaw(dir, 'rawIupac', { seed: 22, length: 3001, alphabet: 'iupac', lowercase: true, nRuns: true }),
        writeRaw(dir, 'chr.M', { seed: 23, length: 1, alphabet: 'acgt' }),
        writeRaw(dir, 'rawAcgt', { seed: 24, length: 2048, alphabet: 'acgt', lowercase: true }),
        writeRaw(dir, 'empty', { seed: 25, length: 0 }),
      ],
    }),
  },
];
