/**
 * The verdict in words (src/seqcol/verdict.ts) on the seqcol reference test data: each of the
 * six FASTA files, copied to a temporary folder and read as `seqserve compare` reads a side,
 * against each other one, both ways, with the expected verdict written here from reading the
 * files; sides with names and lengths only (.fai, .dict); and 50,000 contigs renamed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { compareCollections } from '../src/seqcol/comparison.js';
import { arraysOf, loadLocalCollection, type LocalCollection } from '../src/seqcol/local-collection.js';
import { verdictOf, type Verdict, type VerdictKind } from '../src/seqcol/verdict.js';
import { prng, randInt, randomBases } from './helpers/fasta-fixtures.js';
import { hasSamtools } from './helpers/samtools.js';
import { fixtureFiles, seqcolFixtures } from './helpers/seqcol-fixtures.js';

const root = join(import.meta.dirname, '.tmp', `seqcol-verdict-${process.pid}`);
const quiet = { log: { info() {}, warn() {} } };

/*
 * The files, read by hand (S = TTGGGGAA, G = GGAA, C = GCGC):
 *   base            chrX:S chr1:G chr2:C
 *   different_names X:S    1:G    2:C
 *   different_order chr1:G chr2:C chrX:S
 *   pair_swap       chr2:S chr1:G chrX:C
 *   subset          chrX:S chr1:G
 *   swap_wo_coords  chrX:S chr2:G chr1:C
 * The verdict of A against B; B against A is the same, a subset's side swapped.
 */
const expected: Record<string, VerdictKind> = {
  'base different_names': 'renamed',
  'base different_order': 'different-order',
  // The names travel with other sequences: chrX is 8 bp in A and 4 in B.
  'base pair_swap': 'renamed',
  'base subset': 'b-in-a',
  // Names and lengths agree (chr1 and chr2 are both 4 bp), the bases under them do not.
  'base swap_wo_coords': 'same-coordinates-different-sequences',
  'different_names different_order': 'renamed',
  'different_names pair_swap': 'renamed',
  'different_names subset': 'b-in-a',
  'different_names swap_wo_coords': 'renamed',
  'different_order pair_swap': 'renamed',
  'different_order subset': 'b-in-a',
  'different_order swap_wo_coords': 'same-coordinates-different-sequences',
  'pair_swap subset': 'b-in-a',
  'pair_swap swap_wo_coords': 'renamed',
  'subset swap_wo_coords': 'a-in-b',
};

const mirrored: Partial<Record<VerdictKind, VerdictKind>> = { 'b-in-a': 'a-in-b', 'a-in-b': 'b-in-a' };

function verdict(a: LocalCollection, b: LocalCollection): Verdict {
  const comparison = compareCollections(arraysOf(a), arraysOf(b), { a: a.collection?.digest ?? null, b: b.collection?.digest ?? null });
  const side = (s: LocalCollection) => ({ names: s.names, lengths: s.lengths, sequences: s.collection?.level2.sequences });
  return verdictOf(side(a), side(b), comparison);
}

describe('seqcol verdict', () => {
  const sides = new Map<string, LocalCollection>();

  before(() => {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    for (const f of fixtureFiles) {
      copyFileSync(join(seqcolFixtures.dir, f), join(root, f));
      sides.set(f.replace('.fa', ''), loadLocalCollection(join(root, f), quiet));
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('the sides read from the files are the fixture collections', () => {
    for (const [name, side] of sides) assert.equal(side.collection?.digest, seqcolFixtures.digests[`${name}.fa`]!.top_level_digest, name);
  });

  test('every pair of the six files, both ways, and each file with itself', () => {
    assert.equal(Object.keys(expected).length, 15);
    for (const [pair, kind] of Object.entries(expected)) {
      const [x, y] = pair.split(' ') as [string, string];
      assert.equal(verdict(sides.get(x)!, sides.get(y)!).kind, kind, `${x} vs ${y}`);
      assert.equal(verdict(sides.get(y)!, sides.get(x)!).kind, mirrored[kind] ?? kind, `${y} vs ${x}`);
    }
    for (const [name, side] of sides) {
      const v = verdict(side, side);
      assert.deepEqual([v.kind, v.headline, v.details, v.renames, v.chromAlias], ['identical', 'identical', [], [], ''], name);
    }
  });

  test('renamed: the pairs by digest, and the chromAlias lines that serve A’s names in B', () => {
    const v = verdict(sides.get('base')!, sides.get('different_names')!);
    assert.equal(v.headline, 'same sequences, different names');
    assert.deepEqual(v.renames, [
      ['chrX', 'X'],
      ['chr1', '1'],
      ['chr2', '2'],
    ]);
    assert.equal(v.chromAlias, '#alias\tchrom\nchrX\tX\nchr1\t1\nchr2\t2\n');
    assert.ok(v.details.includes('renamed (A↔B, paired by sequence digest): chrX↔X, chr1↔1, chr2↔2'), v.details.join('\n'));
  });

  test('names swapped between sequences: no alias file can map them, and it says so', () => {
    const v = verdict(sides.get('base')!, sides.get('pair_swap')!);
    assert.deepEqual(v.renames, [
      ['chrX', 'chr2'],
      ['chr2', 'chrX'],
    ]);
    assert.equal(v.chromAlias, '');
    assert.ok(v.details.some((d) => d.startsWith('no alias can serve chrX, chr2 in B')));
    assert.ok(v.details.includes('different under the same name (2): chrX (8 bp in A, 4 in B), chr2 (4 bp in A, 8 in B)'), v.details.join('\n'));
  });

  test('same coordinates, other bases: the names whose sequence differs; a subset: the names on one side only', () => {
    const swap = verdict(sides.get('base')!, sides.get('swap_wo_coords')!);
    assert.equal(swap.headline, 'same coordinate system, different sequences');
    assert.ok(swap.details.includes('different under the same name (2): chr1 (4 bp, other bases), chr2 (4 bp, other bases)'), swap.details.join('\n'));
    const subset = verdict(sides.get('base')!, sides.get('subset')!);
    assert.equal(subset.headline, 'B is a subset of A');
    assert.deepEqual(subset.details, ['sequences only in A (1): chr2']);
    assert.deepEqual(verdict(sides.get('subset')!, sides.get('base')!).details, ['sequences only in B (1): chr2']);
  });

  test('a .fai and a .dict side: names and lengths only, and the verdict says sequences were not compared', () => {
    // base.fa's own .fai columns; different_order's as a .dict, by samtools when it is here.
    writeFileSync(join(root, 'base.fai'), 'chrX\t8\t6\t8\t9\nchr1\t4\t21\t4\t5\nchr2\t4\t32\t4\t5\n');
    const dict = join(root, 'different_order.dict');
    if (hasSamtools()) execFileSync('samtools', ['dict', '-o', dict, join(root, 'different_order.fa')]);
    else writeFileSync(dict, '@HD\tVN:1.0\tSO:unsorted\n@SQ\tSN:chr1\tLN:4\n@SQ\tSN:chr2\tLN:4\n@SQ\tSN:chrX\tLN:8\n');
    const fai = loadLocalCollection(join(root, 'base.fai'), quiet);
    const dictSide = loadLocalCollection(dict, quiet);
    assert.equal(fai.collection, undefined);
    assert.deepEqual(
      [dictSide.names, dictSide.lengths],
      [
        ['chr1', 'chr2', 'chrX'],
        [4, 4, 8],
      ],
    );
    assert.match(dictSide.note!, /M5 is an MD5/);
    const cases: [LocalCollection, LocalCollection, VerdictKind][] = [
      [sides.get('base')!, fai, 'same-coordinates'],
      [fai, dictSide, 'same-coordinates-other-order'],
      [dictSide, sides.get('subset')!, 'b-in-a'],
      [sides.get('different_names')!, fai, 'unrelated'],
      [fai, sides.get('pair_swap')!, 'overlapping'],
    ];
    for (const [a, b, kind] of cases) {
      const v = verdict(a, b);
      assert.equal(v.kind, kind, `${a.path} vs ${b.path}`);
      assert.equal(v.sequencesCompared, false);
      assert.match(v.details[0]!, /^sequences not compared: (A|B|A and B) ha(s|ve) names and lengths only$/);
      assert.deepEqual(v.renames, []);
    }
    assert.deepEqual(verdict(dictSide, sides.get('subset')!).details.slice(1), [
      'names only in A (1): chr2',
      'order of the elements both have: another in names',
    ]);
  });

  test('50,000 contigs, renamed, shuffled and ten left out: verdict and comparison well under the bound', () => {
    const rng = prng(50);
    const count = 50_000;
    const lengths = Array.from({ length: count }, () => randInt(rng, 1, 60));
    const bases = lengths.map((n) => randomBases(rng, n));
    const fasta = (names: string[], order: number[]) => order.map((i) => `>${names[i]}\n${bases[i]}\n`).join('');
    const ncbi = lengths.map((_, i) => `NW_${String(i).padStart(9, '0')}.1`);
    const ucsc = lengths.map((_, i) => `chrUn_NW_${String(i).padStart(9, '0')}v1`);
    const order = Array.from({ length: count }, (_, i) => i).reverse();
    writeFileSync(join(root, 'ncbi.fa'), fasta(ncbi, order.slice().reverse()));
    writeFileSync(join(root, 'ucsc.fa'), fasta(ucsc, order.slice(10)));
    const a = loadLocalCollection(join(root, 'ncbi.fa'), quiet);
    const b = loadLocalCollection(join(root, 'ucsc.fa'), quiet);
    // Random contigs of up to 60 bp may repeat: the verdict pairs each copy once, so the names only in A are the ten left out.
    const started = performance.now();
    const v = verdict(a, b);
    const ms = performance.now() - started;
    assert.ok(ms < 5000, `verdict and comparison of 50,000 contigs in ${ms.toFixed(0)} ms (a sanity bound; figures go to the bench)`);
    assert.equal(v.kind, 'b-in-a');
    assert.equal(v.renames.length, count - 10);
    assert.equal(v.chromAlias.split('\n').length, count - 10 + 2);
    assert.ok(v.details.includes(`sequences only in A (10): ${ncbi.slice(count - 10, count - 5).join(', ')} … and 5 more`), v.details.join('\n'));
  });
});
