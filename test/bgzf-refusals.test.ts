/**
 * What the BGZF code refuses, naming the file and, where it can, the block offset and the fix:
 * plain gzip, a file that is not gzip, a truncated .fa.gz, a corrupt block (found at read time,
 * other blocks still read) and a corrupt .gzi.
 *
 * Run alone: node --import tsx --test test/bgzf-refusals.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { before, describe, it } from 'node:test';
import { buildBgzfIndexes } from '../src/formats/bgzf/bgzf-index.js';
import { formatGzi, isGzipFile, parseGzi, scanBgzf, type GziIndex } from '../src/formats/bgzf/gzi.js';
import { DataError } from '../src/core/errors.js';
import { missingBgzfTools } from './helpers/bgzf-tools.js';
import { writeBgzfVariants, type Variant } from './helpers/bgzf-variants.js';
import { openBgzf } from './helpers/open-bgzf.js';

const missing = missingBgzfTools();
const root = join(dirname(fileURLToPath(import.meta.url)), '.tmp', 'bgzf-refusals');
const variants: Variant[] = [];

before(() => {
  if (missing) return;
  variants.push(...writeBgzfVariants(root));
});

const errors =
  (...parts: string[]) =>
  (error: unknown) => {
    assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
    for (const part of parts) assert.ok(error.message.includes(part), `message ${JSON.stringify(error.message)} should include ${JSON.stringify(part)}`);
    return true;
  };

describe('refusals', () => {
  it('refuses plain gzip with the bgzip / seqserve prepare advice', (t) => {
    if (missing) return t.skip(`${missing}: CI installs both`);
    const plain = join(root, 'plain.fa.gz');
    writeFileSync(plain, gzipSync(readFileSync(variants[2]!.fasta)));
    assert.equal(isGzipFile(plain), true);
    const advice = [plain, 'not with bgzip', `zcat ${plain} | bgzip >`, `seqserve prepare ${plain} OUTDIR`];
    assert.throws(() => scanBgzf(plain), errors(...advice));
    assert.throws(() => buildBgzfIndexes(plain), errors(...advice));
  });

  it('refuses a file that is not gzip at all', (t) => {
    if (missing) return t.skip(`${missing}: CI installs both`);
    const v = variants[2]!;
    assert.equal(isGzipFile(v.fasta), false);
    assert.equal(isGzipFile(v.gz), true);
    assert.throws(() => scanBgzf(v.fasta), errors(v.fasta, 'not gzip-compressed'));
    assert.throws(() => buildBgzfIndexes(v.fasta), errors(v.fasta, 'not gzip-compressed'));
  });

  it('names the file and the block offset of a truncated .fa.gz', (t) => {
    if (missing) return t.skip(`${missing}: CI installs both`);
    const v = variants.find((x) => x.name === 'width-1-small-blocks')!;
    const whole = readFileSync(v.gz);
    const gzi = scanBgzf(v.gz);
    const cutBlock = gzi.compressed[gzi.compressed.length - 3]!;
    const cut = join(root, 'truncated.fa.gz');
    writeFileSync(cut, whole.subarray(0, cutBlock + 30));
    assert.throws(() => scanBgzf(cut), errors(cut, `byte offset ${cutBlock}`));
    assert.throws(() => buildBgzfIndexes(cut), errors(cut, `byte offset ${cutBlock}`));
    // The old, complete .gzi with the cut file: refused when opened (its tail no longer adds up).
    assert.throws(() => openBgzf(cut, gziBefore(gzi, cutBlock)), errors(cut, `byte offset ${cutBlock}`));
  });

  it('names the file and the block offset of a corrupt block at read time', (t) => {
    if (missing) return t.skip(`${missing}: CI installs both`);
    const v = variants.find((x) => x.name === 'width-1-small-blocks')!;
    const gzi = scanBgzf(v.gz);
    const bad = Buffer.from(readFileSync(v.gz));
    const block = gzi.compressed[5]!;
    bad.fill(0xff, block + 20, block + 40); // inside the deflate data
    const path = join(root, 'corrupt.fa.gz');
    writeFileSync(path, bad);
    const file = openBgzf(path, gzi);
    assert.throws(() => file.bytes(gzi.uncompressed[5]!, gzi.uncompressed[5]! + 10), errors(path, `byte offset ${block}`));
    assert.equal(file.bytes(0, 10).toString('latin1'), readFileSync(v.fasta, 'latin1').slice(0, 10), 'other blocks still read');
  });

  it('refuses a corrupt .gzi, naming it and the fix', () => {
    const gzi = '/data/g.fa.gz.gzi';
    const fix = ['delete it', 'samtools faidx /data/g.fa.gz'];
    assert.throws(() => parseGzi(Buffer.alloc(5), gzi), errors(gzi, 'too short', ...fix));
    const good = formatGzi({ compressed: Float64Array.from([0, 100, 250]), uncompressed: Float64Array.from([0, 65280, 130560]), uncompressedSize: 1 });
    assert.throws(() => parseGzi(good.subarray(0, good.length - 1), gzi), errors(gzi, 'holds 2 blocks', ...fix));
    const swapped = Buffer.from(good);
    swapped.writeBigUInt64LE(50n, 24); // block 2 before block 1
    assert.throws(() => parseGzi(swapped, gzi), errors(gzi, 'out of order', ...fix));
    assert.deepEqual(Array.from(parseGzi(good, gzi).compressed), [0, 100, 250]);
  });
});

/** The entries of a .gzi up to the block at `offset`: what an index made before a download was cut still says. */
function gziBefore(gzi: GziIndex, offset: number): GziIndex {
  const n = gzi.compressed.indexOf(offset) + 1;
  return { compressed: gzi.compressed.slice(0, n), uncompressed: gzi.uncompressed.slice(0, n), uncompressedSize: NaN };
}
