/**
 * A deterministic hg38-sized test genome for `npm run bench:genome` (bench/scale/run.ts).
 *
 * usage: node --import tsx scripts/make-genome.ts [DIR] [--size 3.1e9] [--force]
 *
 * Writes DIR/genome.fa (default DIR: bench/.tmp/scale/genome, git-ignored): the 24 chromosomes
 * plus chrM with hg38's lengths scaled to --size bases in total, then ~190 small contigs named
 * as hg38's are (chr1_KI270706v1_random, chrUn_GL000195v1, chr6_KI270797v1_alt, chrEBV), 1–200
 * kbp each; 60-column lines; about half the bases soft-masked (lowercase) in runs; N gaps as
 * telomeres, centromeres, acrocentric short arms and scattered assembly gaps. At the default
 * size the one file is ~3.15 GB, over 2 GiB on purpose.
 *
 * Fast by construction: bases are copied in runs from a precomputed random pool (upper- and
 * lowercase copies), straight into a 64 MiB output buffer written with fs.writeSync. A stamp
 * file (genome.fa.stamp) records what was generated; when it matches the request and the file
 * has the recorded size, nothing is written. A regenerated genome drops its stale .fai and
 * refget sidecar.
 *
 * Not under `src/` on purpose: nothing of the server depends on it.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mulberry32 } from '../src/core/mulberry32.js';

export const DEFAULT_SIZE = 3.1e9;
export const LINE_WIDTH = 60;
const SEED = 0x68673338; // "hg38"
/** Bumped whenever the output for a given size changes, so old stamps stop matching. */
const GENERATOR_VERSION = 1;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_DIR = join(root, 'bench', '.tmp', 'scale', 'genome');

/** hg38 (GRCh38) primary chromosome lengths, as in its .fai. */
const HG38: ReadonlyArray<readonly [string, number]> = [
  ['chr1', 248_956_422],
  ['chr2', 242_193_529],
  ['chr3', 198_295_559],
  ['chr4', 190_214_555],
  ['chr5', 181_538_259],
  ['chr6', 170_805_979],
  ['chr7', 159_345_973],
  ['chr8', 145_138_636],
  ['chr9', 138_394_717],
  ['chr10', 133_797_422],
  ['chr11', 135_086_622],
  ['chr12', 133_275_309],
  ['chr13', 114_364_328],
  ['chr14', 107_043_718],
  ['chr15', 101_991_189],
  ['chr16', 90_338_345],
  ['chr17', 83_257_441],
  ['chr18', 80_373_285],
  ['chr19', 58_617_616],
  ['chr20', 64_444_167],
  ['chr21', 46_709_983],
  ['chr22', 50_818_468],
  ['chrX', 156_040_895],
  ['chrY', 57_227_415],
  ['chrM', 16_569],
];
/** Acrocentric chromosomes: their short arm is one long N gap in hg38. */
const ACROCENTRIC = new Set(['chr13', 'chr14', 'chr15', 'chr21', 'chr22']);

export interface GenomeSequence {
  name: string;
  length: number;
}

export interface GenomeStamp {
  version: number;
  size: number;
  seed: number;
  sequences: number;
  bases: number;
  fileBytes: number;
}

/** The sequence names and lengths for a genome of `size` bases in total (deterministic). */
export function genomeLayout(size: number): GenomeSequence[] {
  const random = mulberry32(SEED);
  const contigs: GenomeSequence[] = [];
  const logUniform = (lo: number, hi: number) => Math.round(Math.exp(Math.log(lo) + random() * (Math.log(hi) - Math.log(lo))));
  // hg38 has 42 *_random, 127 chrUn_*, 261 *_alt; we keep all the randoms and chrUns and a few alts.
  const randomOn = ['chr1', 'chr2', 'chr3', 'chr4', 'chr5', 'chr9', 'chr11', 'chr14', 'chr15', 'chr16', 'chr17', 'chr18', 'chr22', 'chrY'];
  for (let i = 0; i < 42; i++) contigs.push({ name: `${randomOn[i % randomOn.length]}_KI270${700 + i}v1_random`, length: logUniform(1_000, 200_000) });
  for (let i = 0; i < 127; i++) {
    const accession = i % 4 === 0 ? `GL000${190 + i}v1` : `KI270${300 + i}v1`;
    contigs.push({ name: `chrUn_${accession}`, length: logUniform(1_000, 200_000) });
  }
  for (let i = 0; i < 24; i++) contigs.push({ name: `${HG38[i % 24]![0]}_KI270${800 + i}v1_alt`, length: logUniform(1_000, 200_000) });
  contigs.push({ name: 'chrEBV', length: 171_823 });

  const chromosomes = HG38.map(([name, length]) => ({ name, length }));
  const all = [...chromosomes, ...contigs];
  const natural = all.reduce((sum, s) => sum + s.length, 0);
  const scale = size / natural;
  for (const s of all) s.length = Math.max(1_000, Math.round(s.length * scale));
  // chr1 takes the rounding remainder so that the total is exactly `size`.
  chromosomes[0]!.length += Math.round(size) - all.reduce((sum, s) => sum + s.length, 0);
  if (chromosomes[0]!.length < 1_000) throw new Error(`--size ${size} is too small for this layout (at least ~3e5 bases)`);
  return all;
}

/** One sequence as runs: 'N' gaps, and bases whose case alternates in runs (~50% lowercase). */
type Run = { kind: 'N' | 'upper' | 'lower'; length: number };

function gapsOf(seq: GenomeSequence, isChromosome: boolean, random: () => number): Array<[number, number]> {
  const L = seq.length;
  if (!isChromosome || L < 100_000) return [];
  const gaps: Array<[number, number]> = [];
  const telomere = Math.min(10_000, Math.floor(L / 100));
  gaps.push([0, telomere]);
  if (ACROCENTRIC.has(seq.name)) gaps.push([telomere, Math.floor(L * 0.12)]); // the short arm
  const centre = Math.floor(L * (ACROCENTRIC.has(seq.name) ? 0.15 : 0.4));
  gaps.push([centre, centre + Math.floor(L * (seq.name === 'chrY' ? 0.4 : 0.015))]);
  // Scattered assembly gaps: one per ~10 Mbp, 100 bp to 50 kbp.
  for (let i = 0; i < Math.floor(L / 10_000_000); i++) {
    const at = Math.floor(random() * L);
    gaps.push([at, Math.min(L, at + 100 + Math.floor(random() * 50_000))]);
  }
  gaps.push([L - telomere, L]);
  gaps.sort((a, b) => a[0] - b[0]);
  // Merge overlaps.
  const merged: Array<[number, number]> = [];
  for (const g of gaps) {
    const last = merged[merged.length - 1];
    if (last && g[0] <= last[1]) last[1] = Math.max(last[1], g[1]);
    else merged.push([g[0], g[1]]);
  }
  return merged;
}

function* runsOf(seq: GenomeSequence, isChromosome: boolean, random: () => number): Generator<Run> {
  let at = 0;
  let lower = random() < 0.5;
  const bases = function* (end: number): Generator<Run> {
    while (at < end) {
      // Soft-masked repeats and unmasked stretches alike: 50 bp to ~2 kbp, mean ~600.
      const n = Math.min(end - at, 50 + Math.floor(-Math.log(1 - random()) * 550));
      yield { kind: lower ? 'lower' : 'upper', length: n };
      at += n;
      lower = !lower;
    }
  };
  for (const [start, end] of gapsOf(seq, isChromosome, random)) {
    yield* bases(start);
    yield { kind: 'N', length: end - start };
    at = end;
  }
  yield* bases(seq.length);
}

const POOL_BYTES = 16 << 20;
const OUT_BYTES = 64 << 20;

/** Writes the FASTA; returns its size in bytes. */
function writeFasta(path: string, layout: GenomeSequence[], onProgress: (bases: number) => void): number {
  const random = mulberry32(SEED ^ 0x9e3779b9);
  const upper = Buffer.allocUnsafe(POOL_BYTES);
  const alphabet = [0x41, 0x43, 0x47, 0x54];
  for (let i = 0; i < POOL_BYTES; i += 16) {
    const x = (random() * 4294967296) >>> 0;
    for (let k = 0; k < 16; k++) upper[i + k] = alphabet[(x >>> (2 * k)) & 3]!;
  }
  const lowerPool = Buffer.from(upper.map((b) => b | 0x20));
  const nPool = Buffer.alloc(POOL_BYTES, 0x4e);
  const out = Buffer.allocUnsafe(OUT_BYTES);
  const fd = openSync(path, 'w');
  let used = 0;
  let written = 0;
  let done = 0;
  const flush = () => {
    let off = 0;
    while (off < used) off += writeSync(fd, out, off, used - off);
    written += used;
    used = 0;
  };
  try {
    for (const [index, seq] of layout.entries()) {
      const header = `>${seq.name}\n`;
      if (used + header.length > OUT_BYTES) flush();
      used += out.write(header, used, 'latin1');
      let column = 0;
      for (const run of runsOf(seq, index < HG38.length, random)) {
        const pool = run.kind === 'N' ? nPool : run.kind === 'lower' ? lowerPool : upper;
        let left = run.length;
        let from = Math.floor(random() * (POOL_BYTES - 4096));
        while (left > 0) {
          // Room for one line's bases and its newline, always.
          if (used + LINE_WIDTH + 1 > OUT_BYTES) flush();
          const n = Math.min(left, LINE_WIDTH - column);
          if (from + n > POOL_BYTES) from = 0;
          pool.copy(out, used, from, from + n);
          used += n;
          from += n;
          left -= n;
          column += n;
          if (column === LINE_WIDTH) {
            out[used++] = 0x0a;
            column = 0;
          }
        }
      }
      if (column > 0) out[used++] = 0x0a;
      done += seq.length;
      onProgress(done);
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return written;
}

/** Expected FASTA size from the layout alone. */
export function fastaBytes(layout: GenomeSequence[]): number {
  return layout.reduce((sum, s) => sum + s.name.length + 2 + s.length + Math.ceil(s.length / LINE_WIDTH), 0);
}

/**
 * Makes sure DIR/genome.fa is the genome of `size` bases; returns its path, the stamp, and
 * whether it was written now.
 */
export function ensureScaleGenome(
  dir: string,
  size = DEFAULT_SIZE,
  force = false,
  log: (m: string) => void = () => {},
): { path: string; stamp: GenomeStamp; generated: boolean; seconds: number } {
  const path = join(dir, 'genome.fa');
  const stampPath = `${path}.stamp`;
  const layout = genomeLayout(size);
  const want: GenomeStamp = {
    version: GENERATOR_VERSION,
    size: Math.round(size),
    seed: SEED,
    sequences: layout.length,
    bases: layout.reduce((sum, s) => sum + s.length, 0),
    fileBytes: fastaBytes(layout),
  };
  if (!force && existsSync(stampPath) && existsSync(path)) {
    try {
      const have = JSON.parse(readFileSync(stampPath, 'utf8')) as GenomeStamp;
      if (JSON.stringify(have) === JSON.stringify(want) && statSync(path).size === want.fileBytes) {
        return { path, stamp: want, generated: false, seconds: 0 };
      }
    } catch {
      // unreadable stamp: regenerate
    }
  }
  mkdirSync(dir, { recursive: true });
  for (const stale of [stampPath, `${path}.fai`, `${path}.refget.tsv`, path]) rmSync(stale, { force: true });
  const started = performance.now();
  const tmp = `${path}.tmp-${process.pid}`;
  let lastReport = 0;
  log(`writing ${path}: ${want.sequences} sequences, ${want.bases.toLocaleString('en-US')} bases, ${(want.fileBytes / 2 ** 30).toFixed(2)} GiB`);
  try {
    const bytes = writeFasta(tmp, layout, (bases) => {
      if (bases - lastReport >= 500_000_000) {
        lastReport = bases;
        log(`  ${(bases / 1e9).toFixed(1)} Gbp written, ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }
    });
    if (bytes !== want.fileBytes) throw new Error(`internal error: wrote ${bytes} bytes, expected ${want.fileBytes}`);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  writeFileSync(stampPath, `${JSON.stringify(want)}\n`);
  const seconds = (performance.now() - started) / 1000;
  log(`wrote ${path} in ${seconds.toFixed(1)} s`);
  return { path, stamp: want, generated: true, seconds };
}

function main(): void {
  const { values, positionals } = parseArgs({
    options: { size: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help || positionals.length > 1) {
    console.error('usage: node --import tsx scripts/make-genome.ts [DIR] [--size 3.1e9] [--force]');
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const size = values.size === undefined ? DEFAULT_SIZE : Number(values.size);
  if (!Number.isFinite(size) || size < 3e5 || size > 2 ** 52) {
    console.error(`make-genome: --size must be a number of bases, at least 3e5 (got ${values.size})`);
    process.exitCode = 2;
    return;
  }
  const dir = resolve(positionals[0] ?? DEFAULT_DIR);
  const result = ensureScaleGenome(dir, size, values.force ?? false, (m) => console.error(`make-genome: ${m}`));
  if (!result.generated)
    console.error(
      `make-genome: ${result.path} is up to date (${result.stamp.sequences} sequences, ${result.stamp.bases.toLocaleString('en-US')} bases); --force to rewrite`,
    );
  console.log(result.path);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
