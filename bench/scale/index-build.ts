/**
 * Index build without a .fai, page cache warm, both pinned to the server core: seqserve (a
 * server started on a folder holding a symlink to the genome; its "built index" log line, and
 * spawn → ready) vs `samtools faidx` on another symlink; the two .fai compared byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as proc from '../processes.js';
import { readThrough, residentFraction } from './cache.js';
import { withServer, type Mode } from './seqserve.js';
import { log, scaleDir } from './settings.js';

export interface IndexBuild {
  seqserveBuildMs: number | undefined;
  seqserveReadyMs: number;
  samtoolsMs: number;
  identical: boolean;
  residentBefore: number;
}

export async function indexBuild(fasta: string, mode: Mode): Promise<IndexBuild> {
  const ours = join(scaleDir, 'index-seqserve');
  const theirs = join(scaleDir, 'index-samtools');
  for (const dir of [ours, theirs]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    symlinkSync(fasta, join(dir, 'genome.fa'));
  }
  // The sidecar is stamped with the target's size and mtime, so it is valid beside the symlink too.
  copyFileSync(`${fasta}.refget.tsv`, join(ours, 'genome.fa.refget.tsv'));
  log('reading the FASTA once so that both index builds start from a warm page cache');
  readThrough(fasta);
  const residentBefore = residentFraction(fasta);
  log('index build: seqserve (server start without a .fai)');
  const s = await withServer(ours, mode.args, async (s) => s);
  log(`  built in ${s.builtIndexMs} ms, ready ${Math.round(s.readyMs)} ms after spawn`);
  log('index build: samtools faidx');
  const started = performance.now();
  const r = spawnSync('taskset', ['-c', String(proc.SERVER_CORES), 'samtools', 'faidx', join(theirs, 'genome.fa')], { stdio: ['ignore', 2, 2] });
  const samtoolsMs = r.status === 0 ? performance.now() - started : NaN;
  log(`  samtools faidx: ${Math.round(samtoolsMs)} ms`);
  const a = join(ours, 'genome.fa.fai');
  const b = join(theirs, 'genome.fa.fai');
  const identical = existsSync(a) && existsSync(b) && readFileSync(a).equals(readFileSync(b));
  return { seqserveBuildMs: s.builtIndexMs, seqserveReadyMs: s.readyMs, samtoolsMs, identical, residentBefore };
}
