/**
 * Reading bgzipped FASTA through BgzfFile: bases and bytes equal to `samtools faidx` and the
 * naive reader at random ranges and around block edges, only the overlapping blocks inflated,
 * and files with empty blocks at the start and inside.
 *
 * Run alone: node --import tsx --test test/bgzf-reads.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { BgzfFile } from '../src/formats/bgzf/bgzf-file.js';
import { buildBgzfIndexes } from '../src/formats/bgzf/bgzf-index.js';
import { BlockCache } from '../src/formats/bgzf/block-cache.js';
import { formatGzi, parseGzi, scanBgzf, type GziIndex } from '../src/formats/bgzf/gzi.js';
import { buildFai } from '../src/formats/fasta/fai-build.js';
import { formatFai, parseFai, type FaiEntry } from '../src/formats/fasta/fai.js';
import { dropLineEnds, fileSpan } from '../src/formats/fasta/offset.js';
import { bgzfBlock, BGZF_EOF, bgzipReindex, missingBgzfTools } from './helpers/bgzf-tools.js';
import { writeBgzfVariants, type Variant } from './helpers/bgzf-variants.js';
import { prng, randInt } from './helpers/fasta-fixtures.js';
import { readFasta } from './helpers/naive-fasta.js';
import { openBgzf } from './helpers/open-bgzf.js';
import { SamtoolsCopies } from './helpers/samtools-copies.js';
import type { Region } from './helpers/samtools.js';

const missing = missingBgzfTools();
const root = join(dirname(fileURLToPath(import.meta.url)), '.tmp', 'bgzf-reads');
const variants: Variant[] = [];

before(() => {
  if (missing) return;
  variants.push(...writeBgzfVariants(root));
});

const samtools = new SamtoolsCopies();
after(() => samtools.removeAll());

/** Bases [start, end) of a sequence read through the BGZF file at the .fai offsets. */
function readBases(file: BgzfFile, entry: FaiEntry, start: number, end: number): string {
  const [fileStart, fileEnd] = fileSpan(entry, start, end);
  const bytes = Buffer.allocUnsafe(fileEnd - fileStart);
  file.copy(bytes, 0, fileStart, fileEnd); // a copy: dropLineEnds works in place, and bytes() may be a cached block
  return dropLineEnds(bytes, entry, start, end).toString('latin1');
}

/** Random ranges, whole sequences and ranges around block edges (converted to base positions). */
function regionsFor(entries: FaiEntry[], gzi: GziIndex, seed: number, count: number): Region[] {
  const rng = prng(seed);
  const regions: Region[] = entries.map((e) => ({ name: e.name, start: 0, end: e.length }));
  for (let i = 1; i < gzi.uncompressed.length && regions.length < count / 2; i += 1 + randInt(rng, 0, 3)) {
    const edge = gzi.uncompressed[i]!;
    const e = entries.find((x) => x.offset <= edge && edge < x.offset + Math.ceil(x.length / x.lineBases) * x.lineBytes);
    if (!e) continue;
    const line = Math.floor((edge - e.offset) / e.lineBytes);
    const base = Math.min(e.length - 1, line * e.lineBases + Math.min(e.lineBases, (edge - e.offset) % e.lineBytes));
    const start = Math.max(0, base - randInt(rng, 0, 130));
    regions.push({ name: e.name, start, end: Math.min(e.length, base + 1 + randInt(rng, 0, 130)) });
  }
  while (regions.length < count) {
    const e = entries[randInt(rng, 0, entries.length - 1)]!;
    const start = randInt(rng, 0, e.length - 1);
    regions.push({ name: e.name, start, end: Math.min(e.length, start + 1 + randInt(rng, 0, rng() < 0.2 ? 200_000 : 300)) });
  }
  return regions;
}

describe('BgzfFile reads match samtools faidx and a naive reader', () => {
  for (const name of [
    'big-60',
    'width-1-small-blocks',
    'width-61-crlf-small-blocks',
    'width-61-crlf',
    'width-80-iupac-no-final-newline',
    'unwrapped-blank-lines-small-blocks',
  ]) {
    it(name, (t) => {
      if (missing) return t.skip(`${missing}: CI installs both`);
      const v = variants.find((x) => x.name === name)!;
      const copy = samtools.of(v);
      const entries = parseFai(copy.fai().toString('utf8'), `${copy.fasta}.fai`);
      const gzi = parseGzi(samtools.gzi(v), `${copy.fasta}.gzi`);
      const file = openBgzf(v.gz, gzi);
      const raw = readFileSync(v.fasta);
      assert.equal(file.size, raw.length);
      assert.ok(file.bytes(0, file.size).equals(raw), 'the whole uncompressed text');
      const naive = readFasta(v.fasta);
      const regions = regionsFor(entries, gzi, 42, 200);
      const sam = copy.faidx(regions);
      const byName = new Map(entries.map((e) => [e.name, e]));
      regions.forEach((r, i) => {
        const ours = readBases(file, byName.get(r.name)!, r.start, r.end);
        const where = `${r.name}:${r.start}-${r.end}`;
        assert.equal(ours, naive.get(r.name)!.slice(r.start, r.end), `naive reader at ${where}`);
        assert.equal(ours, sam[i], `samtools at ${where}`);
      });
      const edges = Array.from(gzi.uncompressed)
        .flatMap((u) => [u - 1, u, u + 1])
        .filter((u) => u >= 0 && u < raw.length);
      const rng = prng(43);
      for (const u of [...edges, ...Array.from({ length: 300 }, () => randInt(rng, 0, raw.length - 1)), raw.length - 1]) {
        assert.equal(file.byteAt(u), raw[u], `byte ${u}`);
      }
    });
  }

  it('inflates only the blocks that overlap the span asked for', (t) => {
    if (missing) return t.skip(`${missing}: CI installs both`);
    const v = variants.find((x) => x.name === 'width-61-crlf-small-blocks')!;
    const gzi = scanBgzf(v.gz);
    const rng = prng(7);
    for (let k = 0; k < 50; k++) {
      const cache = new BlockCache(1 << 20);
      const file = openBgzf(v.gz, gzi, cache);
      const start = randInt(rng, 0, file.size - 1);
      const end = Math.min(file.size, start + randInt(rng, 1, 5000));
      file.bytes(start, end);
      let overlapping = 0;
      for (let i = 0; i < gzi.uncompressed.length; i++) {
        const blockEnd = gzi.uncompressed[i + 1] ?? file.size;
        if (gzi.uncompressed[i]! < end && blockEnd > start) overlapping++;
      }
      assert.equal(cache.stats.misses, overlapping, `[${start}, ${end})`);
    }
  });
});

describe('BGZF oddities', () => {
  it('reads a file that starts with an empty block and has empty blocks inside', (t) => {
    if (missing) return t.skip(`${missing}: CI installs both`);
    const text = Buffer.from('>a\nACGTACGTAC\nGT\n>b\nTTTT\n', 'latin1');
    const path = join(root, 'empties.fa.gz');
    writeFileSync(
      path,
      Buffer.concat([BGZF_EOF, bgzfBlock(text.subarray(0, 7)), BGZF_EOF, BGZF_EOF, bgzfBlock(text.subarray(7, 20)), bgzfBlock(text.subarray(20)), BGZF_EOF]),
    );
    const gzi = scanBgzf(path);
    assert.ok(formatGzi(gzi).equals(bgzipReindex(path, join(root, 'reindex'))), 'bgzip -r agrees');
    const file = openBgzf(path, gzi);
    assert.ok(file.bytes(0, text.length).equals(text), 'whole text');
    for (let s = 0; s < text.length; s++) for (let e = s; e <= text.length; e++) assert.ok(file.bytes(s, e).equals(text.subarray(s, e)), `[${s}, ${e})`);
    assert.equal(formatFai(buildBgzfIndexes(path).fai), formatFai(buildFai(writeText(join(root, 'empties.fa'), text))));
  });
});

function writeText(path: string, text: Buffer): string {
  writeFileSync(path, text);
  return path;
}
