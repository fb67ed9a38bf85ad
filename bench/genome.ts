/**
 * The bench genome: one deterministic ~64 Mbp sequence stored twice, as a 60-column FASTA
 * (bench.fa, sequence "bench_fa") and as a raw one-line file (bench.raw, sequence "bench"),
 * so the two formats can be compared on identical bases.
 */
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** 64 Mbp: 64 times the largest range we request, so 1 Mbp ranges really land at random places. */
const GENOME_LENGTH = 64_000_000;
export const LINE_WIDTH = 60;
const SEED = 0x5eed5e9;

export interface BenchGenome {
  dir: string;
  length: number;
  /** The bases, as generated (not as read back), to check the server's answers against. */
  bases: Buffer;
  fastaName: string;
  rawName: string;
  /** True when the files were written in this run (so the server will build the .fai). */
  generated: boolean;
}

const fastaHeader = '>bench_fa synthetic bench sequence, 60 columns\n';

/**
 * Generates the bases in memory (always: it takes well under a second and gives the bytes the
 * answers are checked against) and writes the files only when missing or the wrong size.
 */
export function ensureGenome(dir: string): BenchGenome {
  const bases = generateBases(GENOME_LENGTH, SEED);
  const fa = join(dir, 'bench.fa');
  const raw = join(dir, 'bench.raw');
  const fastaSize = fastaHeader.length + GENOME_LENGTH + Math.ceil(GENOME_LENGTH / LINE_WIDTH);
  const upToDate = sizeOf(fa) === fastaSize && sizeOf(raw) === GENOME_LENGTH;
  if (!upToDate) {
    mkdirSync(dir, { recursive: true });
    // A stale index would describe the old file; the server rebuilds it on first start.
    rmSync(`${fa}.fai`, { force: true });
    writeFileSync(raw, bases);
    writeFileSync(fa, wrapFasta(bases, fastaHeader, LINE_WIDTH));
  }
  return { dir, length: GENOME_LENGTH, bases, fastaName: 'bench_fa', rawName: 'bench', generated: !upToDate };
}

/** Uniform random ACGT from xorshift32: 16 bases per 32-bit draw keeps this ~0.2 s for 64 Mbp. */
export function generateBases(length: number, seed: number): Buffer {
  const alphabet = [0x41, 0x43, 0x47, 0x54]; // A C G T
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 16) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const n = Math.min(16, length - i);
    for (let k = 0; k < n; k++) out[i + k] = alphabet[(x >>> (2 * k)) & 3]!;
  }
  return out;
}

/** header + the bases in lines of `width`, each ending in \n (the last one too, as samtools writes). */
export function wrapFasta(bases: Buffer, header: string, width: number): Buffer {
  const lines = Math.ceil(bases.length / width);
  const out = Buffer.allocUnsafe(header.length + bases.length + lines);
  let at = out.write(header, 'latin1');
  for (let start = 0; start < bases.length; start += width) {
    at += bases.copy(out, at, start, Math.min(start + width, bases.length));
    out[at++] = 0x0a;
  }
  return out;
}

function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : -1;
}
