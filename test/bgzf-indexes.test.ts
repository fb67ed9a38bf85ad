/**
 * Indexes of bgzipped FASTA: the .gzi (scanBgzf, buildBgzfIndexes) and .fai byte for byte what
 * `samtools faidx` and `bgzip -i` / `bgzip -r` write, for every variant of
 * test/helpers/bgzf-variants.ts; FaiBuilder whatever the chunking, and progress reports.
 *
 * Run alone: node --import tsx --test test/bgzf-indexes.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { buildBgzfIndexes } from '../src/formats/bgzf/bgzf-index.js';
import { formatGzi, parseGzi, scanBgzf } from '../src/formats/bgzf/gzi.js';
import { buildFai, FaiBuilder } from '../src/formats/fasta/fai-build.js';
import { formatFai } from '../src/formats/fasta/fai.js';
import { bgzipReindex, missingBgzfTools } from './helpers/bgzf-tools.js';
import { writeBgzfVariants, type Variant } from './helpers/bgzf-variants.js';
import { prng, randInt } from './helpers/fasta-fixtures.js';
import { SamtoolsCopies } from './helpers/samtools-copies.js';

const missing = missingBgzfTools();
const root = join(dirname(fileURLToPath(import.meta.url)), '.tmp', 'bgzf-indexes');
const variants: Variant[] = [];

before(() => {
  if (missing) return;
  variants.push(...writeBgzfVariants(root));
});

const samtools = new SamtoolsCopies();
after(() => samtools.removeAll());

describe('bgzipped FASTA indexes match samtools faidx and bgzip byte for byte', () => {
  for (const name of [
    'big-60',
    'big-60-i',
    'width-1-small-blocks',
    'width-61-crlf-small-blocks',
    'width-61-crlf',
    'width-80-iupac-no-final-newline',
    'unwrapped-blank-lines-small-blocks',
  ]) {
    it(name, (t) => {
      if (missing) return t.skip(`${missing}: CI installs both`);
      const v = variants.find((x) => x.name === name)!;
      const samGzi = samtools.gzi(v);
      const scanned = scanBgzf(v.gz);
      assert.ok(formatGzi(scanned).equals(samGzi), 'scanBgzf gzi differs from samtools');
      assert.equal(scanned.uncompressedSize, statSync(v.fasta).size);
      if (v.bgzipGzi) assert.ok(readFileSync(v.bgzipGzi).equals(samGzi), 'bgzip -i and samtools disagree');
      if (v.smallBlocks) {
        assert.ok(bgzipReindex(v.gz, join(root, 'reindex')).equals(samGzi), 'bgzip -r and samtools disagree');
        assert.ok(scanned.compressed.length > 20, `only ${scanned.compressed.length} blocks`);
      }
      const built = buildBgzfIndexes(v.gz, () => {});
      assert.equal(formatFai(built.fai), samtools.of(v).fai().toString('utf8'));
      assert.ok(formatGzi(built.gzi).equals(samGzi), 'buildBgzfIndexes gzi differs from samtools');
      assert.deepEqual(parseGzi(samGzi, `${v.gz}.gzi`), { ...scanned, uncompressedSize: NaN });
      assert.deepEqual(
        built.fai,
        buildFai(v.fasta, () => {}),
        'the fai of the uncompressed file',
      );
    });
  }
});

describe('FaiBuilder and progress', () => {
  it('gives the same entries whatever the chunking, and buildFai reports progress', (t) => {
    if (missing) return t.skip(`${missing}: CI installs both`);
    const v = variants.find((x) => x.name === 'width-61-crlf')!;
    const text = readFileSync(v.fasta);
    const expected = buildFai(v.fasta);
    const rng = prng(13);
    const builder = new FaiBuilder(v.fasta);
    for (let at = 0; at < text.length;) {
      const n = randInt(rng, 1, 5000);
      builder.push(text.subarray(at, at + n));
      at += n;
    }
    assert.deepEqual(builder.finish(), expected);
    const seen: [number, number][] = [];
    assert.deepEqual(buildFai(v.fasta, undefined, { chunkBytes: 100_000, onProgress: (done, total) => seen.push([done, total]) }), expected);
    assert.equal(seen.length, Math.ceil(text.length / 100_000));
    assert.deepEqual(seen.at(-1), [text.length, text.length]);
    assert.ok(
      seen.every(([done], i) => i === 0 || done > seen[i - 1]![0]),
      'progress only grows',
    );
  });

  it('reports compressed bytes for buildBgzfIndexes and scanBgzf', (t) => {
    if (missing) return t.skip(`${missing}: CI installs both`);
    const v = variants[0]!;
    const size = statSync(v.gz).size;
    for (const run of [(p: (d: number, t: number) => void) => buildBgzfIndexes(v.gz, undefined, p), (p: (d: number, t: number) => void) => scanBgzf(v.gz, p)]) {
      const seen: number[] = [];
      run((done, total) => {
        assert.equal(total, size);
        seen.push(done);
      });
      assert.ok(seen.length >= 2, `${seen.length} progress calls for ${size} bytes`);
      assert.ok(
        seen.every((done, i) => i === 0 || done > seen[i - 1]!),
        'progress only grows',
      );
      assert.equal(seen.at(-1), size);
    }
  });
});
