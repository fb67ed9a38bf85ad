/**
 * The folder POST /batch is tested on, with its oracle: a FASTA wrapped at 60 with soft-masking
 * and N runs (chr1 long enough for several 64 Ki pieces), an unwrapped IUPAC FASTA and a raw
 * file: every line layout. The oracle is every sequence the folder serves, read back by the naive
 * reader; random regions are drawn over all of them.
 */
import { prng, randInt, removeDir, subDir, tempDir, writeFasta, writeRaw, type FastaFixture } from './fasta-fixtures.js';
import { readFasta, readRaw, reverseComplement } from './naive-fasta.js';

interface BatchGenome {
  /** The folder to serve. */
  dir: string;
  /** a.fa: chr1 (200 kbp), chr2, chrM, wrapped at 60. */
  wrapped: FastaFixture;
  /** Every sequence the folder serves, by name. */
  oracle: Map<string, string>;
  names: string[];
  /** The oracle's bases of [start, end), reverse-complemented if asked. */
  expectedBases: (name: string, start: number, end: number, reverse: boolean) => string;
  /** Random 0-based regions over every sequence, both strands, empty ones included. */
  randomRegions: (seed: number, count: number) => { name: string; start: number; end: number; reverse: boolean }[];
  /** Deletes the temporary folder. */
  remove: () => void;
}

export function writeBatchGenome(): BatchGenome {
  const root = tempDir('seqserve-batch-');
  const dir = subDir(root, 'genome');
  const wrapped = writeFasta(dir, 'a.fa', {
    seed: 11,
    lineWidth: 60,
    lowercase: true,
    nRuns: true,
    records: [
      { name: 'chr1', length: 200_000, description: 'long' },
      { name: 'chr2', length: 9_001 },
      { name: 'chrM', length: 61 },
    ],
  });
  const unwrapped = writeFasta(dir, 'b.fa', { seed: 12, lineWidth: 'unwrapped', alphabet: 'iupac', lowercase: true, records: [{ name: 'u1', length: 5_000 }] });
  const raw = writeRaw(dir, 'r1', { seed: 13, length: 30_000, lowercase: true });
  const oracle = new Map<string, string>([...readFasta(wrapped.path), ...readFasta(unwrapped.path), [raw.name, readRaw(raw.path)]]);
  const names = [...oracle.keys()];

  function expectedBases(name: string, start: number, end: number, reverse: boolean): string {
    const bases = oracle.get(name)!.slice(start, end);
    return reverse ? reverseComplement(bases) : bases;
  }

  function randomRegions(seed: number, count: number): { name: string; start: number; end: number; reverse: boolean }[] {
    const rng = prng(seed);
    const out = [];
    for (let k = 0; k < count; k++) {
      const name = names[randInt(rng, 0, names.length - 1)]!;
      const L = oracle.get(name)!.length;
      const a = randInt(rng, 0, L);
      const b = rng() < 0.8 ? Math.min(L, a + randInt(rng, 0, 300)) : randInt(rng, a, L);
      out.push({ name, start: a, end: b, reverse: rng() < 0.5 });
    }
    return out;
  }

  return { dir, wrapped, oracle, names, expectedBases, randomRegions, remove: () => removeDir(root) };
}
