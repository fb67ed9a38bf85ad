/**
 * `seqserve compare A B` as a real process: --json against the seqcol reference comparisons,
 * the text for people, the chromAlias.txt it writes proven by loading and serving B's folder
 * with it, the sides it reads (folders, assemblies, .2bit, .fai, .dict) and its refusals.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadCatalog } from '../src/data/catalog.js';
import type { Comparison } from '../src/seqcol/comparison.js';
import { loadLocalCollection } from '../src/seqcol/local-collection.js';
import { testApp } from './helpers/app.js';
import { runCli, type Run } from './helpers/cli-server.js';
import { prng, randomBases } from './helpers/fasta-fixtures.js';
import { hasSamtools } from './helpers/samtools.js';
import { fixtureFiles, seqcolFixtures } from './helpers/seqcol-fixtures.js';
import { writeTwoBit } from './helpers/twobit-writer.js';

const root = join(import.meta.dirname, '.tmp', `cli-compare-${process.pid}`);
const fasta = join(root, 'fasta');
const quiet = { log: { info() {}, warn() {} } };
const compare = (...args: string[]) => runCli(['compare', ...args]);

/** Runs at most `width` processes at a time: the machine has two cores, and other tests run too. */
async function inBatches<T, R>(items: readonly T[], width: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(run))));
  return out;
}

/** Bad data: exit 1, one line on stderr saying what and naming the file, no stack, nothing on stdout. */
function assertDataError(r: Run, line: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
  assert.match(r.stderr, line);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

describe('seqserve compare', () => {
  before(() => {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(fasta, { recursive: true });
    for (const f of fixtureFiles) {
      copyFileSync(join(seqcolFixtures.dir, f), join(fasta, f));
      // The .fai and digest sidecar made once here, so that the processes below only read them.
      loadLocalCollection(join(fasta, f), quiet);
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('--json prints exactly the reference comparison for the 15 pairs, and its mirror image the other way', async () => {
    const pairs = seqcolFixtures.pairComparisons();
    assert.equal(pairs.length, 15);
    const runs = await inBatches(pairs, 4, ({ a, b }) => compare(join(fasta, a), join(fasta, b), '--json'));
    for (const [i, { a, b, answer }] of pairs.entries()) {
      assert.equal(runs[i]!.code, 0, runs[i]!.stderr);
      assert.deepEqual(JSON.parse(runs[i]!.stdout), answer, `${a} vs ${b}`);
    }
    const back = await inBatches(pairs.slice(0, 4), 4, ({ a, b }) => compare(join(fasta, b), join(fasta, a), '--json'));
    for (const [i, { answer }] of pairs.slice(0, 4).entries()) assert.deepEqual(JSON.parse(back[i]!.stdout), seqcolFixtures.swapped(answer));
  });

  it('prints the sides, the table and the verdict; a rename ends with the chromAlias lines', async () => {
    const r = await compare(join(fasta, 'base.fa'), join(fasta, 'different_names.fa'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'digests read from the sidecars: nothing to say');
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `A: ${join(fasta, 'base.fa')} (FASTA file, 3 sequences; seqcol digest XZlrcEGi6mlopZ2uD8ObHkQB1d0oDwKk)`);
    assert.match(lines[1]!, /^B: .*different_names\.fa \(FASTA file, 3 sequences; seqcol digest QvT5tAQ0B8Vkxd-qFftlzEk2QyfPtgOv\)$/);
    assert.match(lines[3]!, /^attribute +a_count +b_count +shared +same order$/);
    assert.match(lines[4]!, /^names +3 +3 +0 +n\/a$/);
    assert.match(lines[6]!, /^sequences +3 +3 +3 +yes$/);
    assert.ok(lines.includes('verdict: same sequences, different names'), r.stdout);
    assert.ok(lines.includes('  renamed (A↔B, paired by sequence digest): chrX↔X, chr1↔1, chr2↔2'), r.stdout);
    assert.ok(r.stdout.endsWith('#alias\tchrom\nchrX\tX\nchr1\t1\nchr2\t2\n'), r.stdout);
    const other = await compare(join(fasta, 'base.fa'), join(fasta, 'swap_wo_coords.fa'));
    assert.match(
      other.stdout,
      /\nverdict: same coordinate system, different sequences\n {2}renamed .*\n.*\n {2}different under the same name \(2\): chr1 \(4 bp, other bases\)/,
    );
  });

  it("the chromAlias lines, saved as chromAlias.txt in B's folder, make A's names resolve there and be served", async () => {
    const rng = prng(14);
    const bases = [300, 120, 57].map((n) => randomBases(rng, n));
    const ncbi = ['NC_000001.11', 'NC_012920.1', 'NW_025791756.1'];
    const ucsc = ['chr1', 'chrM', 'chrUn_NW_025791756v1'];
    const dirB = join(root, 'ucsc');
    mkdirSync(dirB);
    writeFileSync(join(root, 'ncbi.fa'), ncbi.map((n, i) => `>${n}\n${bases[i]}\n`).join(''));
    writeFileSync(join(dirB, 'ucsc.fa'), [2, 0, 1].map((i) => `>${ucsc[i]}\n${bases[i]}\n`).join(''));
    const r = await compare(join(root, 'ncbi.fa'), dirB, '--chrom-alias');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `#alias\tchrom\n${ncbi.map((n, i) => `${n}\t${ucsc[i]}\n`).join('')}`);
    assert.equal(loadCatalog(dirB, quiet.log).resolve(ncbi[0]!), undefined, 'no built-in rule maps these');
    writeFileSync(join(dirB, 'chromAlias.txt'), r.stdout);
    const catalog = loadCatalog(dirB, quiet.log);
    for (const [i, name] of ncbi.entries()) assert.equal(catalog.resolve(name)?.name, ucsc[i], name);
    const app = await testApp(dirB);
    try {
      const answer = await app.inject({ url: `/chrom/${ncbi[2]}` });
      assert.equal(answer.statusCode, 200, answer.body);
      assert.equal((JSON.parse(answer.body) as { name: string }).name, ucsc[2]);
      const range = await app.inject({ url: `/chrom/${ncbi[0]}/range?start=10&end=20` });
      assert.equal(range.body, bases[0]!.slice(10, 20));
    } finally {
      await app.close();
    }
    const text = await compare(join(root, 'ncbi.fa'), dirB);
    assert.match(text.stdout, /\nverdict: same sequences, different names\n/);
    const none = await compare(join(fasta, 'base.fa'), join(fasta, 'pair_swap.fa'), '--chrom-alias');
    assert.equal(none.code, 0);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /nothing to write/);
  });

  it('a .fai and a .dict side: names and lengths only, digest null, and the output says sequences were not compared', async () => {
    writeFileSync(join(fasta, 'subset.fai'), 'chrX\t8\t6\t8\t9\nchr1\t4\t21\t4\t5\n');
    const dict = join(fasta, 'different_order.dict');
    if (hasSamtools()) execFileSync('samtools', ['dict', '-o', dict, join(fasta, 'different_order.fa')]);
    else writeFileSync(dict, '@HD\tVN:1.0\tSO:unsorted\n@SQ\tSN:chr1\tLN:4\tM5:x\n@SQ\tSN:chr2\tLN:4\n@SQ\tSN:chrX\tLN:8\n');
    const [json, text, both] = await Promise.all([
      compare(join(fasta, 'base.fa'), dict, '--json'),
      compare(dict, join(fasta, 'base.fa')),
      compare(join(fasta, 'subset.fai'), dict),
    ]);
    const c = JSON.parse(json.stdout) as Comparison;
    assert.deepEqual(c.digests, { a: 'XZlrcEGi6mlopZ2uD8ObHkQB1d0oDwKk', b: null });
    assert.deepEqual(c.attributes, { a_only: ['sequences', 'sorted_sequences'], b_only: [], a_and_b: ['lengths', 'name_length_pairs', 'names'] });
    assert.equal(c.array_elements.a_and_b_count.name_length_pairs, 3);
    assert.match(
      text.stdout,
      /^A: .*different_order\.dict \(sequence dictionary \(\.dict\), 3 sequences; no seqcol digest: .*M5 is an MD5, not the ga4gh digest/,
    );
    assert.match(text.stdout, /\nverdict: same coordinate system in another order\n {2}sequences not compared: A has names and lengths only\n/);
    assert.match(text.stdout, /\nsequences +- +3 +- +-\n/, 'an attribute one side lacks: counted on the other');
    assert.match(
      both.stdout,
      /\nverdict: A is a subset of B \(by names and lengths\)\n {2}sequences not compared: A and B have names and lengths only\n {2}names only in B \(1\): chr2\n/,
    );
  });

  it('a data folder is its default assembly, DIR/NAME another one; a .2bit is digested like a FASTA', async () => {
    const data = join(root, 'assemblies');
    for (const [dir, file] of [
      ['one', 'base.fa'],
      ['two', 'different_order.fa'],
    ] as const) {
      mkdirSync(join(data, dir), { recursive: true });
      copyFileSync(join(fasta, file), join(data, dir, file));
    }
    const sequences = { chrX: 'TTGGGGAA', chr1: 'ggaa', chr2: 'GCGC' };
    writeTwoBit(
      join(root, 'base.2bit'),
      Object.entries(sequences).map(([name, sequence]) => ({ name, sequence })),
      { littleEndian: true, version: 0 },
    );
    const [folder, twoBit] = await Promise.all([compare(data, join(data, 'two')), compare(join(root, 'base.2bit'), join(fasta, 'base.fa'))]);
    assert.equal(folder.code, 0, folder.stderr);
    assert.match(folder.stderr, /holds 2 assemblies; comparing one, its default \(another one: .*assemblies\/two\)/);
    assert.match(folder.stdout, /^A: .*assemblies\/one \(assembly one \(folder\), 3 sequences;/);
    assert.match(folder.stdout, /\nverdict: different order only\n/);
    assert.equal(twoBit.code, 0, twoBit.stderr);
    assert.match(twoBit.stderr, /computed the refget digests of .*base\.2bit, saved to .*base\.2bit\.refget\.tsv/);
    assert.match(twoBit.stdout, /^A: .*base\.2bit \(\.2bit file, 3 sequences; seqcol digest XZlrcEGi6mlopZ2uD8ObHkQB1d0oDwKk\)/);
    assert.match(twoBit.stdout, /\nverdict: identical\n$/);
  });

  it('refuses bad sides with one line naming the file (exit 1), and usage mistakes with the usage (exit 2)', async () => {
    writeFileSync(join(root, 'notes.txt'), 'hello\n');
    writeFileSync(join(root, 'bad.dict'), '@HD\tVN:1.0\n@SQ\tSN:chr1\tLN:four\n');
    const base = join(fasta, 'base.fa');
    const [missing, unknown, badDict, one, both] = await Promise.all([
      compare(base, join(root, 'nope.fa')),
      compare(join(root, 'notes.txt'), base),
      compare(base, join(root, 'bad.dict')),
      compare(base),
      compare(base, base, '--json', '--chrom-alias'),
    ]);
    assertDataError(missing, /^seqserve: cannot read .*nope\.fa \(ENOENT\)/);
    assertDataError(unknown, /^seqserve: .*notes\.txt: not a file seqserve compare reads; give a data folder/);
    assertDataError(badDict, /^seqserve: .*bad\.dict:2: an @SQ line needs SN:NAME and LN:LENGTH/);
    for (const [r, line] of [
      [one, 'seqserve: compare: missing the second side: seqserve compare A B'],
      [both, 'seqserve: compare: --json and --chrom-alias print different things; pick one'],
    ] as const) {
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.split('\n')[0], line);
      assert.match(r.stderr, /\n\nusage: seqserve compare A B/);
    }
  });
});
