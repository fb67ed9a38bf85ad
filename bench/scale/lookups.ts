/**
 * Random single-base lookups (wrk): the server's memory after startup and after a million of
 * them, and their speed with the genome evicted from the page cache (cold), after reading it once
 * (warm), and with --preload.
 */
import { evict, readThrough, residentFraction } from './cache.js';
import { describeWrk, fixed, pct, thousands } from './format.js';
import { withServer, wrkScript, type Help, type Mode } from './seqserve.js';
import { sequencesOf, treeMemoryOf, type TreeMemory } from './server.js';
import { durationSec, genomeDir, log, lookups } from './settings.js';
import { runWrk, type WrkResult } from './wrk.js';

export interface MemoryRun {
  label: string;
  mode: string;
  sequences: number;
  bases: number;
  afterStart: TreeMemory;
  afterLookups: TreeMemory;
  lookups: WrkResult;
}

export async function memoryRun(label: string, dir: string, mode: Mode): Promise<MemoryRun> {
  return withServer(dir, mode.args, async (s) => {
    const seqs = await sequencesOf(s.origin);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const afterStart = treeMemoryOf(s.child.pid);
    log(`${label}, ${mode.label}: ${thousands(lookups)} random single-base lookups`);
    const r = await runWrk({
      origin: s.origin,
      sequences: seqs,
      span: 1,
      connections: 50,
      durationSec: 600,
      limit: lookups,
      seed: 1,
      scriptPath: wrkScript('memory'),
    });
    log(`  ${describeWrk(r)}`);
    const afterLookups = treeMemoryOf(s.child.pid);
    return { label, mode: mode.label, sequences: seqs.length, bases: seqs.reduce((n, q) => n + q.length, 0), afterStart, afterLookups, lookups: r };
  });
}

interface CacheRow {
  mode: string;
  state: string;
  residentAtStart: number;
  result: WrkResult | undefined;
  residentAfter: number;
  note: string;
}

export interface ColdWarm {
  mode: string;
  evictedWith: string | undefined;
  rows: CacheRow[];
  readThroughSec: number;
  preload: { available: boolean; firstAnswerMs?: number; residentAtReady?: number; fullyResidentMs?: number; doneMessage?: string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Cold (evicted before the server starts), then warm (the file read once) on the same server; then --preload on a new one. */
export async function coldWarm(fasta: string, help: Help, mode: Mode): Promise<ColdWarm> {
  const rows: CacheRow[] = [];
  const evictedWith = evict(fasta);
  log(`${mode.label}: evicted ${fasta} from the page cache with: ${evictedWith ?? 'nothing worked'} (resident ${pct(residentFraction(fasta))})`);
  let readThroughSec = NaN;
  await withServer(genomeDir, mode.args, async (s) => {
    const seqs = await sequencesOf(s.origin);
    const residentAtStart = residentFraction(fasta);
    log(`${mode.label}, cold: random single bases for ${durationSec} s (resident at start ${pct(residentAtStart)})`);
    const cold = await runWrk({ origin: s.origin, sequences: seqs, span: 1, connections: 50, durationSec, seed: 2, scriptPath: wrkScript('cold') });
    log(`  ${describeWrk(cold)}`);
    rows.push({
      mode: mode.label,
      state: evictedWith ? 'cold (evicted before start)' : 'cold? (eviction failed)',
      residentAtStart,
      result: cold,
      residentAfter: residentFraction(fasta),
      note: '',
    });
    readThroughSec = readThrough(fasta);
    const residentWarm = residentFraction(fasta);
    log(`${mode.label}, warm: random single bases for ${durationSec} s (read the file in ${readThroughSec.toFixed(1)} s; resident ${pct(residentWarm)})`);
    const warm = await runWrk({ origin: s.origin, sequences: seqs, span: 1, connections: 50, durationSec, seed: 3, scriptPath: wrkScript('warm') });
    log(`  ${describeWrk(warm)}`);
    rows.push({
      mode: mode.label,
      state: 'warm (file read once, same server)',
      residentAtStart: residentWarm,
      result: warm,
      residentAfter: residentFraction(fasta),
      note: `reading the file (as cat does) took ${readThroughSec.toFixed(1)} s`,
    });
  });
  const preload: ColdWarm['preload'] = { available: help.preload };
  if (!help.preload) {
    rows.push({
      mode: mode.label,
      state: '--preload',
      residentAtStart: NaN,
      result: undefined,
      residentAfter: NaN,
      note: 'not available: `seqserve --help` has no --preload yet',
    });
    return { mode: mode.label, evictedWith, rows, readThroughSec, preload };
  }
  const again = evict(fasta);
  log(`${mode.label}, --preload: evicted with ${again ?? 'nothing'} (resident ${pct(residentFraction(fasta))})`);
  await withServer(genomeDir, [...mode.args, '--preload'], async (s) => {
    preload.firstAnswerMs = s.firstAnswerMs;
    preload.residentAtReady = residentFraction(fasta);
    // The preload runs in the background once listening: wait for its "preload done" line or full residency (≤ 180 s).
    const t0 = performance.now();
    let residentSince = NaN;
    while (performance.now() - t0 < 180_000) {
      const done = s.messages.find((m) => /^preload (done|stopped)/.test(m));
      if (done) {
        preload.doneMessage = done;
        break;
      }
      // No "done" line 3 s after the file is all in the page cache: stop waiting for one.
      if (Number.isNaN(residentSince) && residentFraction(fasta) >= 0.999) residentSince = performance.now();
      if (performance.now() - residentSince > 3000) break;
      await sleep(100);
    }
    preload.fullyResidentMs = residentFraction(fasta) >= 0.99 ? s.firstAnswerMs + (performance.now() - t0) : NaN;
    log(
      `  first answer ${Math.round(s.firstAnswerMs)} ms after spawn (resident ${pct(preload.residentAtReady)}); ${preload.doneMessage ?? 'no "preload done" line'}; resident ${fixed(preload.fullyResidentMs)} ms after spawn`,
    );
    const seqs = await sequencesOf(s.origin);
    const r = await runWrk({ origin: s.origin, sequences: seqs, span: 1, connections: 50, durationSec, seed: 4, scriptPath: wrkScript('preload') });
    log(`  ${describeWrk(r)}`);
    rows.push({
      mode: mode.label,
      state: '--preload (evicted before start; measured once preloaded)',
      residentAtStart: residentFraction(fasta),
      result: r,
      residentAfter: residentFraction(fasta),
      note: `first answer ${fixed(s.firstAnswerMs)} ms after spawn (${pct(preload.residentAtReady)} resident); all resident ${fixed((preload.fullyResidentMs ?? NaN) / 1000, 1)} s after spawn${preload.doneMessage ? ` (log: "${preload.doneMessage}")` : ''}`,
    });
  });
  return { mode: mode.label, evictedWith, rows, readThroughSec, preload };
}
