/**
 * The GA4GH seqcol reference implementation's test data (refgenie/refget, BSD-2-Clause, kept in
 * test/fixtures/seqcol): six small FASTA files, their expected digests at every level, and the
 * expected comparison of each pair. Known answers computed by another program: the oracle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Comparison } from '../../src/seqcol/comparison.js';

const root = join(import.meta.dirname, '..', 'fixtures', 'seqcol');
const dir = join(root, 'test_fasta');

type Attribute = 'names' | 'lengths' | 'sequences' | 'name_length_pairs' | 'sorted_sequences';

export interface ExpectedCollection {
  top_level_digest: string;
  sorted_name_length_pairs_digest: string;
  level1: Record<Attribute | 'sorted_name_length_pairs', string>;
  level2: { names: string[]; lengths: number[]; sequences: string[]; name_length_pairs: { length: number; name: string }[]; sorted_sequences: string[] };
}

export const fixtureFiles = ['base.fa', 'different_names.fa', 'different_order.fa', 'pair_swap.fa', 'subset.fa', 'swap_wo_coords.fa'];

/** The comparison of b with a, from that of a with b: every a/b side swapped, the shared counts kept. */
function swapped(c: Comparison): Comparison {
  const e = c.array_elements;
  return {
    digests: { a: c.digests.b, b: c.digests.a },
    attributes: { a_only: c.attributes.b_only, b_only: c.attributes.a_only, a_and_b: c.attributes.a_and_b },
    array_elements: { a_count: e.b_count, b_count: e.a_count, a_and_b_count: e.a_and_b_count, a_and_b_same_order: e.a_and_b_same_order },
  };
}

/** The 15 `compare_A.fa_B.fa.json` answers, with the files they compare. */
function pairComparisons(): { a: string; b: string; answer: Comparison }[] {
  return readdirSync(join(root, 'comparison'))
    .map((f) => /^compare_(.+\.fa)_(.+\.fa)\.json$/.exec(f))
    .filter((m) => m !== null)
    .map(([f, a, b]) => ({ a: a!, b: b!, answer: JSON.parse(readFileSync(join(root, 'comparison', f), 'utf8')) as Comparison }));
}

/**
 * The five older `compare_X.json` answers (base.fa against X) were made before seqcol 1.0, when
 * lengths was inherent and sorted_name_length_pairs was an ordinary level 2 array.
 */
function olderComparisons(): { b: string; answer: Comparison }[] {
  return readdirSync(join(root, 'comparison'))
    .map((f) => /^compare_([a-z_]+)\.json$/.exec(f))
    .filter((m) => m !== null)
    .map(([f, b]) => ({ b: `${b}.fa`, answer: JSON.parse(readFileSync(join(root, 'comparison', f), 'utf8')) as Comparison }));
}

export const seqcolFixtures = {
  dir,
  digests: JSON.parse(readFileSync(join(dir, 'test_fasta_digests.json'), 'utf8')) as Record<string, ExpectedCollection>,
  pairComparisons,
  olderComparisons,
  swapped,
};
