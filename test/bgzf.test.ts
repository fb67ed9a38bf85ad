import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { BgzfFile } from '../src/formats/bgzf/bgzf-file.js';
import { buildBgzfIndexes } from '../src/formats/bgzf/bgzf-index.js';
import { BlockCache } from '../src/formats/bgzf/block-cache.js';
import { formatGzi, isGzipFile, parseGzi, scanBgzf, type GziIndex } from '../src/formats/bgzf/gzi.js';
import { DataError } from '../src/core/errors.js';
import { buildFai, FaiBuilder } from '../src/formats/fasta/fai-build.js';
import { formatFai, parseFai, type FaiEntry } from '../src/formats/fasta/fai.js';
import { dropLineEnds, fileSpan } from '../src/formats/fasta/offset.js';
import { MappedFile } from '../src/store/mapped-file.js';
import { bgzfBlock, BGZF_EOF, bgzip, bgzipReindex, bgzipSmallBlocks, missingBgzfTools } from './helpers/bgzf-tools.js';
import { edgeLengths, prng, randInt, writeFasta, type FastaOptions } from './helpers/fasta-fixtures.js';
import { readFasta } from './helpers/naive-fasta.js';
import { SamtoolsCopy, type Region } from './helpers/samtools.js';

const missing = missingBgzfTools();
const root = join(dirname(fileURLToPath(import.meta.url)), '.tmp', 'bgzf');

interface Variant {
  name: string;
  fasta: string;
  gz: string;
  /** A .gzi bgzip -i wrote itself. */
  bgzipGzi?: string;
  /** True when the blocks were cut by test/helpers/bgzf-tools.ts rather than bgzip. */
  smallBlocks?: boolean;
}

const variants: Variant[] = [];
const copies = new Map<string, SamtoolsCopy>();
const errors =
  (...parts: string[]) =>
  (error: unknown) => {
    assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
    for (const part of parts) assert.ok(error.message.includes(part), `message ${JSON.stringify(error.message)} should include ${JSON.stringify(part)}`);
    return true;
  };

function fasta(name: string, options: Omit<FastaOptions, 'records'>, count: number, max: number): string {
  const rng = prng(options.seed + 1000);
  const lengths = edgeLengths(rng, options.lineWidth, count, max);
  const records = lengths.map((length, i) => ({ name: `seq${i}`, length, ...(i % 3 === 0 ? { description: `desc ${i}` } : {}) }));
  return writeFasta(root, `${name}.fa`, { ...options, records }).path;
}

function samtoolsOf(v: Variant): SamtoolsCopy {
  let copy = copies.get(v.name);
  if (!copy) copies.set(v.name, (copy = new SamtoolsCopy(v.gz)));
  return copy;
}

const samtoolsGzi = (v: Variant) => {
  const copy = samtoolsOf(v);
  copy.fai();
  return readFileSync(`${copy.fasta}.gzi`);
};

function openBgzf(gz: string, gzi: GziIndex, cache = new BlockCache(8 << 20)): BgzfFile {
  return new BgzfFile(MappedFile.open(gz), gzi, cache);
}

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

before(() => {
  if (missing) return;
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const big = fasta('big', { seed: 1, lineWidth: 60, lowercase: true, nRuns: true }, 30, 600_000);
  variants.push({ name: 'big-60', fasta: big, gz: bgzip(big, join(root, 'big.fa.gz')) });
  variants.push({ name: 'big-60-i', fasta: big, gz: bgzip(big, join(root, 'big-i.fa.gz'), { index: true }), bgzipGzi: join(root, 'big-i.fa.gz.gzi') });
  const w1 = fasta('w1', { seed: 2, lineWidth: 1, alphabet: 'iupac' }, 30, 3000);
  variants.push({ name: 'width-1-small-blocks', fasta: w1, gz: bgzipSmallBlocks(w1, join(root, 'w1.fa.gz'), 1000), smallBlocks: true });
  const w61 = fasta('w61', { seed: 3, lineWidth: 61, crlf: true, lowercase: true, nRuns: true }, 80, 5000);
  variants.push({ name: 'width-61-crlf-small-blocks', fasta: w61, gz: bgzipSmallBlocks(w61, join(root, 'w61.fa.gz'), 777), smallBlocks: true });
  variants.push({ name: 'width-61-crlf', fasta: w61, gz: bgzip(w61, join(root, 'w61-bgzip.fa.gz')) });
  const w80 = fasta('w80', { seed: 4, lineWidth: 80, alphabet: 'iupac', nRuns: true, finalNewline: false }, 50, 20_000);
  variants.push({ name: 'width-80-iupac-no-final-newline', fasta: w80, gz: bgzip(w80, join(root, 'w80.fa.gz')) });
  const flat = fasta('unwrapped', { seed: 5, lineWidth: 'unwrapped', lowercase: true, blankLines: true }, 20, 50_000);
  variants.push({
    name: 'unwrapped-blank-lines-small-blocks',
    fasta: flat,
    gz: bgzipSmallBlocks(flat, join(root, 'unwrapped.fa.gz'), 4096),
    smallBlocks: true,
  });
});

after(() => {
  for (const copy of copies.values()) copy.remove();
});

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
      const samGzi = samtoolsGzi(v);
      const scanned = scanBgzf(v.gz);
      assert.ok(formatGzi(scanned).equals(samGzi), 'scanBgzf gzi differs from samtools');
      assert.equal(scanned.uncompressedSize, statSync(v.fasta).size);
      if (v.bgzipGzi) assert.ok(readFileSync(v.bgzipGzi).equals(samGzi), 'bgzip -i and samtools disagree');
      if (v.smallBlocks) {
        assert.ok(bgzipReindex(v.gz, join(root, 'reindex')).equals(samGzi), 'bgzip -r and samtools disagree');
        assert.ok(scanned.compressed.length > 20, `only ${scanned.compressed.length} blocks`);
      }
      const built = buildBgzfIndexes(v.gz, () => {});
      assert.equal(formatFai(built.fai), samtoolsOf(v).fai().toString('utf8'));
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
      const copy = samtoolsOf(v);
      const entries = parseFai(copy.fai().toString('utf8'), `${copy.fasta}.fai`);
      const gzi = parseGzi(samtoolsGzi(v), `${copy.fasta}.gzi`);
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

/** The entries of a .gzi up to the block at `offset`: what an index made before a download was cut still says. */
function gziBefore(gzi: GziIndex, offset: number): GziIndex {
  const n = gzi.compressed.indexOf(offset) + 1;
  return { compressed: gzi.compressed.slice(0, n), uncompressed: gzi.uncompressed.slice(0, n), uncompressedSize: NaN };
}
