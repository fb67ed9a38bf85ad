/**
 * BlockCache, the inflated BGZF blocks shared by every file: within its byte budget, hits
 * counted, files kept apart, least recently used evicted first, a block larger than the budget
 * returned without being kept.
 *
 * Run alone: node --import tsx --test test/bgzf-block-cache.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { BlockCache } from '../src/formats/bgzf/block-cache.js';
import { scanBgzf } from '../src/formats/bgzf/gzi.js';
import { missingBgzfTools } from './helpers/bgzf-tools.js';
import { writeBgzfVariants, type Variant } from './helpers/bgzf-variants.js';
import { prng, randInt } from './helpers/fasta-fixtures.js';
import { openBgzf } from './helpers/open-bgzf.js';

const missing = missingBgzfTools();
const root = join(dirname(fileURLToPath(import.meta.url)), '.tmp', 'bgzf-block-cache');
const variants: Variant[] = [];

before(() => {
  if (missing) return;
  variants.push(...writeBgzfVariants(root));
});

describe('BlockCache', () => {
  it('stays within its byte budget over many random reads, and counts hits', (t) => {
    if (missing) return t.skip(`${missing}: CI installs both`);
    const v = variants[0]!;
    const budget = 3.5 * 65280;
    const cache = new BlockCache(budget);
    const file = openBgzf(v.gz, scanBgzf(v.gz), cache);
    const raw = readFileSync(v.fasta);
    const rng = prng(11);
    for (let k = 0; k < 400; k++) {
      const start = randInt(rng, 0, raw.length - 1);
      const end = Math.min(raw.length, start + randInt(rng, 1, 150_000));
      assert.ok(file.bytes(start, end).equals(raw.subarray(start, end)), `[${start}, ${end})`);
      assert.ok(cache.stats.bytes <= budget, `${cache.stats.bytes} bytes cached, over the ${budget} budget`);
    }
    file.byteAt(1234);
    const { hits, misses } = cache.stats;
    file.byteAt(1235);
    assert.deepEqual([cache.stats.hits, cache.stats.misses], [hits + 1, misses], 'a read from the same block is a hit');
  });

  it('keeps two files apart when they share one cache', (t) => {
    if (missing) return t.skip(`${missing}: CI installs both`);
    const cache = new BlockCache(4 << 20);
    const a = variants.find((x) => x.name === 'width-61-crlf')!;
    const b = variants.find((x) => x.name === 'width-80-iupac-no-final-newline')!;
    const fa = openBgzf(a.gz, scanBgzf(a.gz), cache);
    const fb = openBgzf(b.gz, scanBgzf(b.gz), cache);
    const ra = readFileSync(a.fasta);
    const rb = readFileSync(b.fasta);
    const rng = prng(12);
    for (let k = 0; k < 300; k++) {
      const u = randInt(rng, 0, Math.min(ra.length, rb.length) - 100);
      assert.ok(fa.bytes(u, u + 100).equals(ra.subarray(u, u + 100)), `file a at ${u}`);
      assert.ok(fb.bytes(u, u + 100).equals(rb.subarray(u, u + 100)), `file b at ${u}`);
    }
    assert.ok(cache.stats.hits > 0, 'repeated blocks hit');
    fa.close();
    assert.ok(fb.bytes(0, 100).equals(rb.subarray(0, 100)), 'file b after closing a');
  });

  it('evicts the least recently used block first', () => {
    const cache = new BlockCache(300);
    const inflated: string[] = [];
    const get = (file: number, block: number) => cache.get(file, block, () => (inflated.push(`${file}/${block}`), Buffer.alloc(100, block))).length;
    const [a, b] = [cache.registerFile(), cache.registerFile()];
    for (const [f, k] of [
      [a, 1],
      [b, 1],
      [a, 2],
      [a, 1],
      [b, 3],
      [b, 1],
      [a, 2],
    ] as const)
      get(f, k);
    // a/1 b/1 a/2 fill it; a/1 hits; b/3 evicts b/1 (the oldest unused); b/1 evicts a/2; a/2 evicts a/1.
    assert.deepEqual(inflated, [`${a}/1`, `${b}/1`, `${a}/2`, `${b}/3`, `${b}/1`, `${a}/2`]);
    assert.deepEqual(cache.stats, { hits: 1, misses: 6, bytes: 300, blocks: 3 });
    cache.forgetFile(b);
    assert.deepEqual(cache.stats, { hits: 1, misses: 6, bytes: 100, blocks: 1 });
  });

  it('returns a block larger than the whole budget without keeping it', (t) => {
    if (missing) return t.skip(`${missing}: CI installs both`);
    const v = variants[0]!;
    const cache = new BlockCache(1000);
    const file = openBgzf(v.gz, scanBgzf(v.gz), cache);
    const raw = readFileSync(v.fasta);
    assert.ok(file.bytes(60_000, 70_000).equals(raw.subarray(60_000, 70_000)), 'span across two blocks');
    assert.equal(cache.stats.bytes, 0);
    assert.equal(cache.stats.blocks, 0);
  });
});
