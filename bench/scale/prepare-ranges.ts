/**
 * `seqserve prepare` on the genome, timed, then random 10 kbp (50 connections) and 1 Mbp
 * (8 connections) ranges from the wrapped FASTA and from the prepared files.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as proc from '../processes.js';
import { readThrough } from './cache.js';
import { describeWrk } from './format.js';
import { ensureIndexed, withServer, wrkScript, type Help, type Mode } from './seqserve.js';
import { sequencesOf } from './server.js';
import { cli, durationSec, genomeDir, log, scaleDir } from './settings.js';
import { runWrk, type Sequence, type WrkResult } from './wrk.js';

interface PrepareRow {
  span: number;
  connections: number;
  fasta: WrkResult;
  prepared: WrkResult;
}

export interface Prepare {
  available: boolean;
  seconds?: number;
  outputBytes?: number;
  rows: PrepareRow[];
  note: string;
}

export async function prepare(fasta: string, help: Help, mode: Mode): Promise<Prepare> {
  if (!help.prepare) return { available: false, rows: [], note: 'not available: `seqserve --help` has no prepare command yet' };
  const out = join(scaleDir, 'prepared');
  rmSync(out, { recursive: true, force: true });
  log(`seqserve prepare ${fasta} ${out}`);
  const started = performance.now();
  const r = spawnSync('taskset', ['-c', String(proc.SERVER_CORES), process.execPath, cli, 'prepare', fasta, out], { stdio: ['ignore', 2, 2] });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) return { available: true, seconds, rows: [], note: `seqserve prepare failed (exit ${r.status})` };
  const outputBytes = readdirSync(out).reduce((n, f) => n + statSync(join(out, f)).size, 0);
  // Digests for the prepared files too (not timed as part of prepare), so no digest worker reads them during the runs.
  const sequenceFiles = readdirSync(out).filter((f) => /\.(raw|smalla|fa|fasta|fna)$/i.test(f));
  ensureIndexed(out, sequenceFiles);
  log(`  ${seconds.toFixed(1)} s, ${(outputBytes / 2 ** 30).toFixed(2)} GiB written; reading it once (warm, as the FASTA is)`);
  for (const f of readdirSync(out)) if (statSync(join(out, f)).isFile()) readThrough(join(out, f));
  readThrough(fasta);
  const specs = [
    { span: 10_000, connections: 50 },
    { span: 1_000_000, connections: 8 },
  ];
  const measure = async (dir: string, label: string): Promise<WrkResult[]> =>
    withServer(dir, mode.args, async (s) => {
      const seqs: Sequence[] = await sequencesOf(s.origin);
      const results: WrkResult[] = [];
      for (const [i, spec] of specs.entries()) {
        log(`${label}: random ${spec.span.toLocaleString('en-US')} bp ranges for ${durationSec} s`);
        const res = await runWrk({
          origin: s.origin,
          sequences: seqs,
          span: spec.span,
          connections: spec.connections,
          durationSec,
          seed: 10 + i,
          scriptPath: wrkScript(`range-${label}`),
        });
        log(`  ${describeWrk(res)}`);
        results.push(res);
      }
      return results;
    });
  const wrapped = await measure(genomeDir, 'fasta');
  const prepared = await measure(out, 'prepared');
  // 3 GB of scratch, rewritten at every run: not kept.
  rmSync(out, { recursive: true, force: true });
  return { available: true, seconds, outputBytes, rows: specs.map((s, i) => ({ ...s, fasta: wrapped[i]!, prepared: prepared[i]! })), note: '' };
}
