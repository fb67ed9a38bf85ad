/**
 * A folder for the window tests: FASTA files with line widths 1, 60 (IUPAC, N runs, lowercase,
 * many sequences, short last lines), 61 with CRLF, 80 and unwrapped, a raw file and a .2bit; and the
 * naive reader's view of every sequence.
 */
import { join } from 'node:path';
import { prng, randomBases, writeFasta, writeRaw, subDir } from './fasta-fixtures.js';
import { readFasta, readRaw } from './naive-fasta.js';
import { asTwoBitToFa, writeTwoBit } from './twobit-writer.js';

export function writeWindowGenome(root: string): { dir: string; oracle: Map<string, string> } {
  const dir = subDir(root, 'genome');
  const files = [
    writeFasta(dir, 'w60.fa', {
      seed: 151,
      lineWidth: 60,
      alphabet: 'iupac',
      lowercase: true,
      nRuns: true,
      records: [{ name: 'chr1', length: 30_007 }, ...Array.from({ length: 12 }, (_, i) => ({ name: `ctg${i}`, length: 900 + 211 * i }))],
    }),
    writeFasta(dir, 'w61.fa', { seed: 152, lineWidth: 61, crlf: true, lowercase: true, nRuns: true, records: [{ name: 'crlf61', length: 12_345 }] }),
    writeFasta(dir, 'w1.fa', { seed: 153, lineWidth: 1, records: [{ name: 'w1', length: 2_500 }] }),
    writeFasta(dir, 'w80.fa', { seed: 154, lineWidth: 80, lowercase: true, records: [{ name: 'w80', length: 9_999 }] }),
    writeFasta(dir, 'flat.fa', { seed: 155, lineWidth: 'unwrapped', nRuns: true, records: [{ name: 'flat', length: 7_001 }] }),
  ];
  const raw = writeRaw(dir, 'r1', { seed: 156, length: 5_000 });
  const twoBit = randomBases(prng(157), 6_000, { lowercase: true, nRuns: true });
  writeTwoBit(join(dir, 'tb.2bit'), [{ name: 'tb1', sequence: twoBit }], { littleEndian: true, version: 0 });
  const oracle = new Map<string, string>([
    [raw.name, readRaw(raw.path)],
    ['tb1', asTwoBitToFa(twoBit)],
  ]);
  for (const f of files) for (const [name, s] of readFasta(f.path)) oracle.set(name, s);
  return { dir, oracle };
}
