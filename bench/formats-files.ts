/**
 * The bench genome in every layout seqserve serves, in one data folder (bench/.tmp/formats) so
 * one server answers all four from the same process: the FASTA and the raw file (links to
 * bench/.tmp/genome's), a .2bit (bench/twobit.ts) and a bgzipped FASTA (Debian `bgzip -c -@2`).
 * The .2bit and .fa.gz hold their own sequence names, since names are unique per folder.
 * The .fa.gz's .fai and .gzi are not written here: seqserve builds them at its first start,
 * and the bench then checks them byte for byte against `samtools faidx`'s (checkBgzfIndexes).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { TwoBitFile } from '@gmod/twobit';
import { parseGzi } from '../src/formats/bgzf/gzi.js';
import { mulberry32, randomInt } from '../src/core/mulberry32.js';
import { LINE_WIDTH, wrapFasta, type BenchGenome } from './genome.js';
import { writeTwoBit } from './twobit.js';

export interface FormatFiles {
  dir: string;
  /** Sequence name of each layout, as served. */
  names: { fasta: string; raw: string; twoBit: string; bgzf: string };
  /** Bytes of the bgzipped FASTA's uncompressed text (what the block cache would hold to have it all). */
  bgzfTextBytes: number;
  bgzfFileBytes: number;
  twoBitFileBytes: number;
  /** What was (re)written in this run, for the log. */
  written: string[];
}

const TWOBIT_NAME = 'bench_2bit';
const BGZF_NAME = 'bench_gz';
const bgzfHeader = `>${BGZF_NAME} synthetic bench sequence, 60 columns, bgzipped\n`;

/** Expected .2bit size: header 16, one index entry, record header 16 (no N or mask blocks), packed bases. */
const twoBitSize = (length: number) => 16 + 1 + TWOBIT_NAME.length + 4 + 16 + Math.ceil(length / 4);

/**
 * Makes (or reuses) the folder. Everything is rebuilt when the genome was regenerated; a file is
 * written through a temporary name, so one that exists is complete.
 */
export async function ensureFormatFiles(genome: BenchGenome, dir: string): Promise<FormatFiles> {
  // Only upper-case ACGT is stored as is in a .2bit (faToTwoBit turns IUPAC codes into N), and
  // twoBitSize assumes no N or mask blocks: the answers are checked against these very bases.
  const offending = genome.bases.findIndex((b) => b !== 0x41 && b !== 0x43 && b !== 0x47 && b !== 0x54);
  if (offending >= 0)
    throw new Error(
      `bench genome has ${String.fromCharCode(genome.bases[offending]!)} at ${offending}: the .2bit would not hold the same bases; check bench/genome.ts`,
    );
  if (genome.generated) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const name of ['bench.fa', 'bench.raw']) {
    const link = join(dir, name);
    if (!existsSync(link)) {
      rmSync(link, { force: true }); // a dangling symlink
      written.push(`${name} (${linkTo(join(genome.dir, name), link)})`);
    }
  }
  const twoBit = join(dir, 'bench.2bit');
  if (sizeOf(twoBit) !== twoBitSize(genome.length)) {
    const started = Date.now();
    writeTwoBit(twoBit, [{ name: TWOBIT_NAME, bases: genome.bases }]);
    await checkTwoBit(twoBit, genome);
    written.push(`bench.2bit (${Date.now() - started} ms, read back with @gmod/twobit)`);
  }
  const bgzf = join(dir, 'bench.fa.gz');
  if (!existsSync(bgzf)) {
    const started = Date.now();
    // Indexes of an older file would be stale: seqserve rebuilds them on its next start.
    for (const ext of ['.fai', '.gzi', '.refget.tsv']) rmSync(bgzf + ext, { force: true });
    bgzipTo(wrapFasta(genome.bases, bgzfHeader, LINE_WIDTH), bgzf);
    written.push(`bench.fa.gz (bgzip -c -@2, ${Date.now() - started} ms)`);
  }
  return {
    dir,
    names: { fasta: genome.fastaName, raw: genome.rawName, twoBit: TWOBIT_NAME, bgzf: BGZF_NAME },
    bgzfTextBytes: bgzfHeader.length + genome.length + Math.ceil(genome.length / LINE_WIDTH),
    bgzfFileBytes: sizeOf(bgzf),
    twoBitFileBytes: sizeOf(twoBit),
    written,
  };
}

/**
 * A hard link (the genome is rewritten in place, and this folder is emptied when it is); a
 * symlink across file systems, which seqserve serves but keeps out of /files with a warning.
 */
function linkTo(target: string, link: string): string {
  try {
    linkSync(target, link);
    return 'hard link';
  } catch {
    symlinkSync(target, link);
    return 'symlink';
  }
}

function bgzipTo(text: Buffer, path: string): void {
  const partial = `${path}.partial`;
  const fd = openSync(partial, 'w');
  try {
    const r = spawnSync('bgzip', ['-c', '-@2'], { input: text, stdio: ['pipe', fd, 'pipe'] });
    if (r.error || r.status !== 0)
      throw new Error(`bgzip -c -@2 failed (${r.error?.message ?? r.status}): ${r.stderr?.toString().slice(-300)}; apt-get install -y tabix`);
  } finally {
    closeSync(fd);
  }
  renameSync(partial, path);
}

/** The writer read back by an independent reader (@gmod/twobit): the ends and random spans. */
async function checkTwoBit(path: string, genome: BenchGenome): Promise<void> {
  const file = new TwoBitFile({ path });
  const random = mulberry32(11);
  const spans: [number, number][] = [
    [0, 1000],
    [genome.length - 1000, genome.length],
  ];
  for (let k = 0; k < 20; k++) {
    const start = randomInt(random, genome.length - 100_000);
    spans.push([start, start + 1 + randomInt(random, 100_000)]);
  }
  for (const [start, end] of spans) {
    const got = await file.getSequence(TWOBIT_NAME, start, end);
    if (got !== genome.bases.toString('latin1', start, end))
      throw new Error(`${path}: @gmod/twobit reads [${start}, ${end}) differently from the generated bases`);
  }
}

/**
 * Which tool made the .fa.gz's indexes, and whether samtools agrees: once seqserve has started
 * on the folder, `samtools faidx` writes its own .fai and .gzi to scratch names and the two pairs
 * are compared byte for byte. Returns a line for the notes.
 */
export function checkBgzfIndexes(files: FormatFiles, samtools: boolean): string {
  const bgzf = join(files.dir, 'bench.fa.gz');
  const blocks = gziBlocks(files);
  const built = `bench.fa.gz: ${mib(files.bgzfFileBytes)} MiB bgzipped (${mib(files.bgzfTextBytes)} MiB of text, ${blocks} BGZF blocks); .2bit ${mib(files.twoBitFileBytes)} MiB; .fai and .gzi built by seqserve at its first start`;
  if (!samtools) return `${built} (samtools not installed: not compared)`;
  const fai = join(files.dir, 'samtools.fai.tmp');
  const gzi = join(files.dir, 'samtools.gzi.tmp');
  try {
    const r = spawnSync('samtools', ['faidx', bgzf, '--fai-idx', fai, '--gzi-idx', gzi], { encoding: 'utf8' });
    if (r.status !== 0) return `${built}; samtools faidx failed: ${r.stderr.slice(-200)}`;
    const same = (ours: string, theirs: string) => readFileSync(ours).equals(readFileSync(theirs));
    const verdict = same(`${bgzf}.fai`, fai) && same(`${bgzf}.gzi`, gzi) ? "byte-identical to samtools faidx's" : "DIFFERENT from samtools faidx's";
    return `${built}, ${verdict}`;
  } finally {
    rmSync(fai, { force: true });
    rmSync(gzi, { force: true });
  }
}

/** BGZF blocks holding text, from the .gzi (block 0 is implied there). */
export function gziBlocks(files: FormatFiles): number {
  const path = join(files.dir, 'bench.fa.gz.gzi');
  return existsSync(path) ? parseGzi(readFileSync(path), path).compressed.length : NaN;
}

export const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : -1;
}
