/**
 * The bgzipped FASTA files the BGZF tests read: generated FASTA (line widths 1, 60, 61 with CRLF,
 * 80 without a final newline, unwrapped with blank lines) compressed by bgzip itself (with and
 * without its own .gzi) and in small blocks cut by test/helpers/bgzf-tools.ts, so that lines and
 * records straddle block edges.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bgzip, bgzipSmallBlocks } from './bgzf-tools.js';
import { edgeLengths, prng, writeFasta, type FastaOptions } from './fasta-fixtures.js';

export interface Variant {
  name: string;
  fasta: string;
  gz: string;
  /** A .gzi bgzip -i wrote itself. */
  bgzipGzi?: string;
  /** True when the blocks were cut by test/helpers/bgzf-tools.ts rather than bgzip. */
  smallBlocks?: boolean;
}

function fasta(root: string, name: string, options: Omit<FastaOptions, 'records'>, count: number, max: number): string {
  const rng = prng(options.seed + 1000);
  const lengths = edgeLengths(rng, options.lineWidth, count, max);
  const records = lengths.map((length, i) => ({ name: `seq${i}`, length, ...(i % 3 === 0 ? { description: `desc ${i}` } : {}) }));
  return writeFasta(root, `${name}.fa`, { ...options, records }).path;
}

/** Empties ROOT and writes every variant into it, in a fixed order (tests pick some by index). */
export function writeBgzfVariants(root: string): Variant[] {
  const variants: Variant[] = [];
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const big = fasta(root, 'big', { seed: 1, lineWidth: 60, lowercase: true, nRuns: true }, 30, 600_000);
  variants.push({ name: 'big-60', fasta: big, gz: bgzip(big, join(root, 'big.fa.gz')) });
  variants.push({ name: 'big-60-i', fasta: big, gz: bgzip(big, join(root, 'big-i.fa.gz'), { index: true }), bgzipGzi: join(root, 'big-i.fa.gz.gzi') });
  const w1 = fasta(root, 'w1', { seed: 2, lineWidth: 1, alphabet: 'iupac' }, 30, 3000);
  variants.push({ name: 'width-1-small-blocks', fasta: w1, gz: bgzipSmallBlocks(w1, join(root, 'w1.fa.gz'), 1000), smallBlocks: true });
  const w61 = fasta(root, 'w61', { seed: 3, lineWidth: 61, crlf: true, lowercase: true, nRuns: true }, 80, 5000);
  variants.push({ name: 'width-61-crlf-small-blocks', fasta: w61, gz: bgzipSmallBlocks(w61, join(root, 'w61.fa.gz'), 777), smallBlocks: true });
  variants.push({ name: 'width-61-crlf', fasta: w61, gz: bgzip(w61, join(root, 'w61-bgzip.fa.gz')) });
  const w80 = fasta(root, 'w80', { seed: 4, lineWidth: 80, alphabet: 'iupac', nRuns: true, finalNewline: false }, 50, 20_000);
  variants.push({ name: 'width-80-iupac-no-final-newline', fasta: w80, gz: bgzip(w80, join(root, 'w80.fa.gz')) });
  const flat = fasta(root, 'unwrapped', { seed: 5, lineWidth: 'unwrapped', lowercase: true, blankLines: true }, 20, 50_000);
  variants.push({
    name: 'unwrapped-blank-lines-small-blocks',
    fasta: flat,
    gz: bgzipSmallBlocks(flat, join(root, 'unwrapped.fa.gz'), 4096),
    smallBlocks: true,
  });
  return variants;
}
